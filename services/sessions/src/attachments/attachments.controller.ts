/**
 * A session's attachments (internal; the gateway exposes them). Upload is the raw file as the
 * body (`content-type`, `x-filename` percent-encoded, optional `x-checksum-sha256`), read by the
 * route's own bounded parser; download answers the decrypted bytes.
 */
import {
  Controller,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { CallerId, InternalCallerGuard, readRawBody } from '@lab/platform/http';
import type { Request, Response } from 'express';
import { DataKey, PreviousDataKey } from '../sessions/data-key.decorator';
import { ParseId } from '../sessions/sessions.controller';
import { AttachmentsService } from './attachments.service';

@Controller('sessions')
@UseGuards(InternalCallerGuard)
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  @Post(':id/attachments')
  @HttpCode(HttpStatus.CREATED)
  async upload(
    @CallerId() userId: string,
    @DataKey() dataKey: Buffer,
    @Param('id', ParseId) id: string,
    @Req() request: Request,
  ) {
    const contentType = request.header('content-type');
    this.attachments.mediaType(contentType);
    const bytes = await readRawBody(request, this.attachments.maxBytes);
    return this.attachments.upload(
      userId,
      dataKey,
      id,
      {
        contentType,
        filename: request.header('x-filename'),
        checksum: request.header('x-checksum-sha256'),
      },
      bytes,
    );
  }

  @Get(':id/attachments')
  list(
    @CallerId() userId: string,
    @DataKey() dataKey: Buffer,
    @PreviousDataKey() previousDataKey: Buffer | undefined,
    @Param('id', ParseId) id: string,
  ) {
    return this.attachments.list(userId, dataKey, id, previousDataKey);
  }

  @Get(':id/attachments/:attachmentId')
  @Header('cache-control', 'private, no-store')
  async download(
    @CallerId() userId: string,
    @DataKey() dataKey: Buffer,
    @PreviousDataKey() previousDataKey: Buffer | undefined,
    @Param('id', ParseId) id: string,
    @Param('attachmentId', ParseId) attachmentId: string,
    @Res() response: Response,
  ): Promise<void> {
    const { attachment, bytes } = await this.attachments.download(
      userId,
      dataKey,
      id,
      attachmentId,
      previousDataKey,
    );
    response.status(200);
    response.setHeader('content-type', attachment.contentType);
    response.setHeader('content-length', String(bytes.length));
    response.setHeader(
      'content-disposition',
      `attachment; filename*=UTF-8''${encodeURIComponent(attachment.name)}`,
    );
    response.setHeader('x-checksum-sha256', attachment.sha256);
    response.end(bytes);
  }
}
