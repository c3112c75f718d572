import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { badRequest } from '@lab/platform/http';
import type { Request } from 'express';

/** Printable ASCII without spaces: what API keys are made of, bounded. */
const PROVIDER_KEY = /^[\x21-\x7e]{1,512}$/;

/**
 * The caller's own OpenAI key (`x-openai-key`), which the gateway passes on for users who brought
 * one: the LLM calls of this request use it instead of the platform's key. Optional. This
 * service never stores or logs it (the request logger redacts the header); it reaches the
 * llm-worker through the turn vault only.
 */
export const ProviderKey = createParamDecorator(
  (_: unknown, context: ExecutionContext): string | undefined => {
    const value = context.switchToHttp().getRequest<Request>().header('x-openai-key');
    if (value === undefined || value === '') return undefined;
    if (!PROVIDER_KEY.test(value)) {
      throw badRequest('The x-openai-key header is not valid', [
        { field: 'x-openai-key', message: 'an API key: 1 to 512 printable characters, no spaces' },
      ]);
    }
    return value;
  },
);
