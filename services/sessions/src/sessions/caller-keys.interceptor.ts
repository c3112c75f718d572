/**
 * Redeems the request's key reference (`x-key-ref`, see `holdCallerKeys`): the gateway leaves the
 * caller's data key, and their own provider key for a route that calls the model, in the turn
 * vault, and only the reference crosses the hop. Redeemed once, before the handler runs, so the
 * `DataKey` and `ProviderKey` parameters read what it held. A reference that names nothing
 * (unknown, used, expired) is refused, never a 500.
 */
import {
  type CallHandler,
  type ExecutionContext,
  HttpStatus,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { type CallerKeys, KEY_REF_HEADER, redeemCallerKeys, TurnVault } from '@lab/platform';
import { ApiException } from '@lab/platform/http';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

export type WithCallerKeys = Request & { callerKeys?: CallerKeys };

const REF = /^caller-keys:[A-Za-z0-9_-]{1,64}$/;

@Injectable()
export class CallerKeysInterceptor implements NestInterceptor {
  constructor(private readonly vault: TurnVault) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<WithCallerKeys>();
    const ref = request.header(KEY_REF_HEADER);
    if (ref !== undefined) {
      const keys = REF.test(ref) ? await redeemCallerKeys(this.vault, ref) : undefined;
      if (!keys) {
        throw new ApiException(
          HttpStatus.BAD_REQUEST,
          'key_reference_unknown',
          `${KEY_REF_HEADER} names no key material: unknown, already used or expired`,
        );
      }
      request.callerKeys = keys;
    }
    return next.handle();
  }
}
