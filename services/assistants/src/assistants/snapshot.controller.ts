/** The internal snapshot of an assistant version, prompts included: for the sessions service only. */
import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { IsOptional, IsUUID } from 'class-validator';
import { InternalCaller, InternalCallerGuard } from '@lab/platform/http';
import { ParseId } from './assistants.controller';
import { AssistantsService } from './assistants.service';

export class SnapshotQueryDto {
  @IsOptional()
  @IsUUID()
  promptVersionId?: string;

  @IsOptional()
  @IsUUID()
  modelConfigVersionId?: string;
}

@Controller('internal/assistants')
@UseGuards(InternalCallerGuard)
@InternalCaller('sessions')
export class SnapshotController {
  constructor(private readonly assistants: AssistantsService) {}

  @Get(':id/snapshot')
  snapshot(@Param('id', ParseId) id: string, @Query() pinned: SnapshotQueryDto) {
    return this.assistants.snapshot(id, pinned);
  }
}
