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
import { ApiException } from '@lab/platform/http';
import type { Request } from 'express';
import { ASSISTANTS_CONFIG, type AssistantsConfig } from '../config/assistants.config';

const REQUIRED_CALLER = 'requiredInternalCaller';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Restricts a route to one internal service. */
export const InternalCaller = (service: string) => SetMetadata(REQUIRED_CALLER, service);

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

@Injectable()
export class InternalCallerGuard implements CanActivate {
  private readonly callers: ReadonlyMap<string, string>;

  constructor(
    @Inject(ASSISTANTS_CONFIG) config: AssistantsConfig,
    private readonly reflector: Reflector,
  ) {
    // Keyed by digest, so a lookup never compares secrets character by character.
    this.callers = new Map(
      [...config.internalTokens].map(([token, caller]) => [digest(token), caller]),
    );
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
