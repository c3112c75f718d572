/**
 * A request's raw body, up to a limit: an upload route's own parser (the services' global parser
 * reads JSON only; see json-body.ts). Too large answers 413 `payload_too_large`, before reading
 * further when the declared length already says so.
 */
import { HttpStatus } from '@nestjs/common';
import { ApiException } from './api-error';
import type { Request } from 'express';

const tooLarge = (limit: number) =>
  new ApiException(
    HttpStatus.PAYLOAD_TOO_LARGE,
    'payload_too_large',
    `The file exceeds ${limit} bytes`,
  );

export async function readRawBody(request: Request, limit: number): Promise<Buffer> {
  const declared = Number(request.header('content-length') ?? Number.NaN);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
