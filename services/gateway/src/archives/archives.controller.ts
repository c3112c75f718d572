/**
 * Archives and attachments of the public API: the download link of an ended session's archive
 * (its text still encrypted under the owner's data key), and a session's files — upload (the
 * raw file as the body), list, download. The sessions service scopes all of it by the owner, so
 * another user's session or file is 404.
 */
import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { readRawBody } from '@lab/platform/http';
import type { Request, Response } from 'express';
import { Authenticated, Caller } from '../identity/auth.guard';
import type { AuthenticatedCaller } from '../identity/caller';
import { ParseId } from '../upstream/params';
import { SESSIONS, type Upstream, upstreamError } from '../upstream/upstream';

/** The largest upload the gateway passes on (the sessions service has its own limit, 1 MiB). */
export const MAX_UPLOAD_BYTES = 1024 * 1024;
const UPLOAD_TYPES = [
  'text/plain',
  'text/markdown',
  'text/csv',
  'application/pdf',
  'image/png',
  'image/jpeg',
];

const attachment = {
  type: 'object',
  required: ['id', 'sessionId', 'name', 'contentType', 'size', 'sha256', 'origin', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    sessionId: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    contentType: { type: 'string' },
    size: { type: 'integer' },
    sha256: { type: 'string', description: 'SHA-256 of the file (hex)' },
    origin: { type: 'string', enum: ['user', 'assistant'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
};
const json = (schema: object) => ({ 'application/json': { schema } });

@ApiTags('archives and attachments')
@Controller('v1/sessions/:id')
export class ArchivesController {
  constructor(@Inject(SESSIONS) private readonly sessions: Upstream) {}

  @Get('archive')
  @Authenticated('chat')
  @ApiOperation({
    summary: 'Download link of an ended session’s archive',
    description:
      'Gzip-compressed JSON lines of the stored session; message, thread and recap texts stay encrypted under your data key (AES-256-GCM, associated data `message:<session>`, `payload:<session>`, `recap:<session>`). The link expires after a few minutes. 409 `not_archived` until the archive exists.',
  })
  @ApiResponse({
    status: HttpStatus.OK,
    description: 'ArchiveLink',
    content: json({
      type: 'object',
      required: ['url', 'expiresAt', 'format', 'size', 'sha256', 'archivedAt'],
      properties: {
        url: { type: 'string', description: 'Presigned GET of the archive' },
        expiresAt: { type: 'string', format: 'date-time' },
        format: { type: 'string' },
        size: { type: 'integer' },
        sha256: { type: 'string', description: 'SHA-256 of the archive object (hex)' },
        archivedAt: { type: 'string', format: 'date-time' },
      },
    }),
  })
  async archive(
    @Caller() caller: AuthenticatedCaller,
    @Param('id', ParseId) id: string,
    @Req() request: Request,
  ) {
    return (await this.sessions.json(caller, { path: `/sessions/${id}/archive`, request })).body;
  }

  @Post('attachments')
  @HttpCode(HttpStatus.CREATED)
  @Authenticated('chat')
  @ApiOperation({
    summary: 'Attach a file to an active session (the raw file as the body, at most 1 MiB)',
    description:
      'Text files (plain, Markdown, CSV) join the model’s context of later turns, within a share of its context window. 415 `unsupported_media_type`, 413 `payload_too_large`, 400 `checksum_mismatch`, 409 `session_ended`.',
  })
  @ApiConsumes(...UPLOAD_TYPES)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiHeader({
    name: 'x-filename',
    required: true,
    description:
      'The file name, percent-encoded: 1 to 200 characters once decoded, without slashes or control characters',
    schema: { type: 'string', minLength: 1, maxLength: 600 },
  })
  @ApiHeader({
    name: 'x-checksum-sha256',
    required: false,
    description: 'SHA-256 of the file (hex): the upload is refused if it differs',
    schema: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
  })
  @ApiResponse({ status: HttpStatus.CREATED, description: 'Attachment', content: json(attachment) })
  async upload(
    @Caller() caller: AuthenticatedCaller,
    @Param('id', ParseId) id: string,
    @Req() request: Request,
  ) {
    const bytes = await readRawBody(request, MAX_UPLOAD_BYTES);
    const headers: Record<string, string> = {};
    for (const name of ['x-filename', 'x-checksum-sha256']) {
      const value = request.header(name);
      if (value) headers[name] = value;
    }
    return (
      await this.sessions.json(caller, {
        method: 'POST',
        path: `/sessions/${id}/attachments`,
        raw: { bytes, contentType: request.header('content-type') ?? '', headers },
        keys: 'data',
        request,
      })
    ).body;
  }

  @Get('attachments')
  @Authenticated('chat')
  @ApiOperation({ summary: 'The session’s files: uploaded, and returned by the model' })
  @ApiResponse({
    status: HttpStatus.OK,
    description: 'AttachmentList',
    content: json({
      type: 'object',
      required: ['items'],
      properties: { items: { type: 'array', items: attachment } },
    }),
  })
  async list(
    @Caller() caller: AuthenticatedCaller,
    @Param('id', ParseId) id: string,
    @Req() request: Request,
  ) {
    return (
      await this.sessions.json(caller, {
        path: `/sessions/${id}/attachments`,
        request,
        keys: 'data',
      })
    ).body;
  }

  @Get('attachments/:attachmentId')
  @Authenticated('chat')
  @ApiOperation({ summary: 'Download one of the session’s files (decrypted for you)' })
  @ApiResponse({
    status: HttpStatus.OK,
    description:
      'The file, in the content type it was uploaded with, with `content-disposition` and `x-checksum-sha256`',
    content: Object.fromEntries(
      UPLOAD_TYPES.map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
    ),
  })
  async download(
    @Caller() caller: AuthenticatedCaller,
    @Param('id', ParseId) id: string,
    @Param('attachmentId', ParseId) attachmentId: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const answer = await this.sessions.fetch(caller, {
      path: `/sessions/${id}/attachments/${attachmentId}`,
      request,
      keys: 'data',
    });
    if (answer.status >= 400) {
      throw upstreamError(answer.status, await answer.json().catch(() => undefined));
    }
    const bytes = Buffer.from(await answer.arrayBuffer());
    response.status(200);
    for (const name of ['content-type', 'content-disposition', 'x-checksum-sha256']) {
      const value = answer.headers.get(name);
      if (value) response.setHeader(name, value);
    }
    response.setHeader('cache-control', 'private, no-store');
    response.end(bytes);
  }
}
