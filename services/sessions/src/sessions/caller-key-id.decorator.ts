import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { badRequest } from '@lab/platform/http';
import type { Request } from 'express';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The caller's platform API key id (`x-caller-key-id`), which the gateway sends when the caller
 * is an internal system: the id only, never the secret. It travels in the workflow inputs into
 * the usage events (turn.completed, session.ended, usage.recorded), so usage and spend caps count
 * per API key (decision 0009). Optional: people are not API keys.
 */
export const CallerKeyId = createParamDecorator(
  (_: unknown, context: ExecutionContext): string | undefined => {
    const value = context.switchToHttp().getRequest<Request>().header('x-caller-key-id');
    if (value === undefined || value === '') return undefined;
    if (!UUID.test(value)) {
      throw badRequest('The x-caller-key-id header is not valid', [
        { field: 'x-caller-key-id', message: 'an API key id (UUID)' },
      ]);
    }
    return value.toLowerCase();
  },
);
