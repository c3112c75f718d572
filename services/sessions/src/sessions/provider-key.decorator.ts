import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { badRequest } from '@lab/platform/http';
import type { WithCallerKeys } from './caller-keys.interceptor';

/** Printable ASCII without spaces: what API keys are made of, bounded. */
const PROVIDER_KEY = /^[\x21-\x7e]{1,512}$/;

/**
 * The caller's own OpenAI key, which the gateway hands over (through the turn vault, with the
 * data key: `x-key-ref`) for users who brought one, on the routes that call the model: the LLM
 * calls of this request use it instead of the platform's key. Optional. This service never
 * stores or logs it; it reaches the llm-worker through the turn vault only.
 */
export const ProviderKey = createParamDecorator(
  (_: unknown, context: ExecutionContext): string | undefined => {
    const value = context.switchToHttp().getRequest<WithCallerKeys>().callerKeys?.providerKey;
    if (value === undefined || value === '') return undefined;
    if (!PROVIDER_KEY.test(value)) {
      throw badRequest('The provider key is not valid', [
        { field: 'providerKey', message: 'an API key: 1 to 512 printable characters, no spaces' },
      ]);
    }
    return value;
  },
);
