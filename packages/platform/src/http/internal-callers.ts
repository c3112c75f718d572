/**
 * Only the platform's own services call this one. Each presents its token (`x-internal-token`);
 * the token says which service it is, and a route may require a particular one (the prompt
 * snapshot: `sessions` only). Users are named by the gateway in `x-user-id`, after it has
 * authenticated them.
 */
import { createHash } from 'node:crypto';
import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  HttpStatus,
  Inject,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiException } from './api-error';
import type { Request } from 'express';

const REQUIRED_CALLER = 'requiredInternalCaller';

/** Provider token of the internal callers: token → service name (see parseInternalTokens). */
export const INTERNAL_CALLERS = Symbol('INTERNAL_CALLERS');

/**
 * `gateway=<token>,sessions=<token>` → token → caller. Returns the problem instead when the
 * value is malformed, for the service's configuration check to report.
 */
export function parseInternalTokens(value: string): Map<string, string> | string {
  const callers = new Map<string, string>();
  for (const pair of value.split(',').filter(Boolean)) {
    const [caller, token] = pair.split('=').map((part) => part.trim());
    if (!caller || !token || token.length < 16) {
      return 'INTERNAL_TOKENS must be caller=token pairs, tokens of 16 characters or more';
    }
    callers.set(token, caller);
  }
  return callers;
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Restricts a route to one internal service. */
export const InternalCaller = (service: string) => SetMetadata(REQUIRED_CALLER, service);

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

@Injectable()
export class InternalCallerGuard implements CanActivate {
  private readonly callers: ReadonlyMap<string, string>;

  constructor(
    @Inject(INTERNAL_CALLERS) tokens: ReadonlyMap<string, string>,
    private readonly reflector: Reflector,
  ) {
    // Keyed by digest, so a lookup never compares secrets character by character.
    this.callers = new Map([...tokens].map(([token, caller]) => [digest(token), caller]));
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const token = request.header('x-internal-token');
    const caller = token ? this.callers.get(digest(token)) : undefined;
    if (!caller) {
      throw new ApiException(
        HttpStatus.UNAUTHORIZED,
        'unauthenticated',
        'A valid x-internal-token is required',
      );
    }
    const required = this.reflector.getAllAndOverride<string | undefined>(REQUIRED_CALLER, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (required && caller !== required) {
      throw new ApiException(
        HttpStatus.FORBIDDEN,
        'forbidden',
        `Only the ${required} service may call this`,
      );
    }
    return true;
  }
}

/** The user the gateway authenticated, from `x-user-id`. */
export const CallerId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const id = context.switchToHttp().getRequest<Request>().header('x-user-id');
  if (!id || !UUID.test(id)) {
    throw new ApiException(
      HttpStatus.UNAUTHORIZED,
      'unauthenticated',
      'x-user-id must name the calling user',
    );
  }
  return id.toLowerCase();
});
