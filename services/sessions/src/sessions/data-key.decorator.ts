import { createParamDecorator, type ExecutionContext, HttpStatus } from '@nestjs/common';
import { dataKeyId } from '@lab/platform';
import { ApiException } from '@lab/platform/http';
import type { WithCallerKeys } from './caller-keys.interceptor';

/**
 * The caller's data key, which the gateway unwraps for each request that needs it and hands over
 * through the turn vault (`x-key-ref`, redeemed by CallerKeysInterceptor). This service never
 * stores it: in bring-your-own-key mode nothing here at rest can read a user's messages. A request
 * naming no caller is refused as unauthenticated first, whichever of the route's parameters Nest
 * happens to resolve first.
 */
export const DataKey = createParamDecorator((_: unknown, context: ExecutionContext): Buffer => {
  const request = context.switchToHttp().getRequest<WithCallerKeys>();
  if (!request.header('x-user-id')) {
    throw new ApiException(
      HttpStatus.UNAUTHORIZED,
      'unauthenticated',
      'x-user-id must name the calling user',
    );
  }
  const key = request.callerKeys?.dataKey;
  if (key?.length !== 32) {
    throw new ApiException(
      HttpStatus.BAD_REQUEST,
      'data_key_required',
      'x-key-ref must name the caller’s data key',
    );
  }
  return key;
});

export const IdempotencyKey = createParamDecorator(
  (_: unknown, context: ExecutionContext): string | undefined =>
    context.switchToHttp().getRequest<WithCallerKeys>().header('idempotency-key') || undefined,
);

/**
 * During a key rotation (decision 0021), the data key the caller's history moves from: the
 * gateway puts it in the `x-key-ref` entry while the rotation is open. Undefined otherwise.
 */
export const PreviousDataKey = createParamDecorator(
  (_: unknown, context: ExecutionContext): Buffer | undefined => {
    const key = context.switchToHttp().getRequest<WithCallerKeys>().callerKeys?.previousDataKey;
    return key?.length === 32 ? key : undefined;
  },
);

/**
 * The key a session's rows open with: the caller's data key, or, while a rotation has not yet
 * moved the session (its `data_key_id` is not the current key's id), the previous one.
 */
export function readKeyFor(
  session: { dataKeyId: string | null },
  dataKey: Buffer,
  previousDataKey: Buffer | undefined,
): Buffer {
  return previousDataKey && session.dataKeyId !== dataKeyId(dataKey) ? previousDataKey : dataKey;
}
