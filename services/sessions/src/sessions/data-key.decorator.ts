import { createParamDecorator, type ExecutionContext, HttpStatus } from '@nestjs/common';
import { ApiException } from '@lab/platform/http';
import type { Request } from 'express';

/**
 * The caller's data key (`x-data-key`, 32 bytes base64), which the gateway unwraps for each
 * request. This service never stores it: in bring-your-own-key mode nothing here at rest can
 * read a user's messages. A request naming no caller is refused as unauthenticated first,
 * whichever of the route's parameters Nest happens to resolve first.
 */
export const DataKey = createParamDecorator((_: unknown, context: ExecutionContext): Buffer => {
  const request = context.switchToHttp().getRequest<Request>();
  if (!request.header('x-user-id')) {
    throw new ApiException(
      HttpStatus.UNAUTHORIZED,
      'unauthenticated',
      'x-user-id must name the calling user',
    );
  }
  const value = request.header('x-data-key') ?? '';
  const key = Buffer.from(value, 'base64');
  if (key.length !== 32) {
    throw new ApiException(
      HttpStatus.BAD_REQUEST,
      'data_key_required',
      'x-data-key must carry the 32-byte data key, base64',
    );
  }
  return key;
});

export const IdempotencyKey = createParamDecorator(
  (_: unknown, context: ExecutionContext): string | undefined =>
    context.switchToHttp().getRequest<Request>().header('idempotency-key') || undefined,
);
