/** The owner's download link to an ended session's archive (internal; the gateway exposes it). */
import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { CallerId, InternalCallerGuard } from '@lab/platform/http';
import { ParseId } from '../sessions/sessions.controller';
import { ArchivesService } from './archives.service';

@Controller('sessions')
@UseGuards(InternalCallerGuard)
export class ArchivesController {
  constructor(private readonly archives: ArchivesService) {}

  @Get(':id/archive')
  link(@CallerId() userId: string, @Param('id', ParseId) id: string) {
    return this.archives.link(userId, id);
  }
}
