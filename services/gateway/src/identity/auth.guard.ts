/**
 * Authenticates every `/v1` request (see IdentityService) and checks the route's scope; the
 * caller lands on `request.caller`. `@Authenticated('chat')` on a controller or route applies
 * it with the rate limit, and documents the bearer scheme in OpenAPI.
 */
import {
  applyDecorators,
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  HttpStatus,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiException } from '@lab/platform/http';
import { RateLimitGuard } from '../limits/rate-limit.guard';
import type { AuthenticatedCaller, CallerRequest } from './caller';
import { IdentityService, type Scope, type SignIn } from './identity.service';
import { SignInThrottled } from './sign-in-failures';
import type { Response } from 'express';

const REQUIRED_SCOPE = 'requiredScope';

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly identity: IdentityService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<CallerRequest>();
    const token = IdentityService.bearer(request.header('authorization'));
    const { caller } = await authenticateRequest(this.identity, token, context);
    request.caller = caller;
    const scope = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (scope && !caller.scopes.includes(scope)) {
      throw new ApiException(
        HttpStatus.FORBIDDEN,
        'insufficient_scope',
        `This credential lacks the "${scope}" scope`,
      );
    }
    return true;
  }
}

/** Authenticates with the client's address; a throttled sign-in answers with `Retry-After`. */
export async function authenticateRequest(
  identity: IdentityService,
  token: string,
  context: ExecutionContext,
): Promise<SignIn> {
  const http = context.switchToHttp();
  const request = http.getRequest<CallerRequest>();
  try {
    return await identity.authenticate(token, request.ip ?? request.socket.remoteAddress);
  } catch (error) {
    if (error instanceof SignInThrottled) {
      http.getResponse<Response>().setHeader('retry-after', String(error.retryAfterSeconds));
    }
    throw error;
  }
}

export const Authenticated = (scope?: Scope) =>
  applyDecorators(
    SetMetadata(REQUIRED_SCOPE, scope),
    UseGuards(AuthGuard, RateLimitGuard),
    ApiBearerAuth(),
  );

/** The authenticated caller of the request. */
export const Caller = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthenticatedCaller => {
    const caller = context.switchToHttp().getRequest<CallerRequest>().caller;
    if (!caller) throw new Error('@Caller() used on a route without @Authenticated()');
    return caller;
  },
);
