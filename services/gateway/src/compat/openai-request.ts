/**
 * Reads an OpenAI-compatible request body. OpenAI's API grows new top-level parameters often and
 * wrappers send them whether set or not (`reasoning_effort`, `service_tier`, ...): a top-level
 * field this platform does not know is accepted, left out, and named in a `Warning` header
 * (`299 - "ignored parameters: ..."`), never 400. Everything it knows is validated as strictly as
 * the rest of the API, nested unknown fields included (a message with a field of its own is 400).
 */
import { type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { badRequest, validationDetails } from '@lab/platform/http';
import type { Response } from 'express';

export interface OpenAiRequest<T> {
  body: T;
  /** The top-level fields left out, in the order sent. */
  ignored: string[];
}

const WHITELIST = 'whitelistValidation';

export class OpenAiRequestPipe<T extends object> implements PipeTransform<
  unknown,
  Promise<OpenAiRequest<T>>
> {
  constructor(private readonly dto: new () => T) {}

  async transform(value: unknown): Promise<OpenAiRequest<T>> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw badRequest('The request is not valid', [{ message: 'the body must be a JSON object' }]);
    }
    const body = plainToInstance(this.dto, value, { enableImplicitConversion: false });
    const errors = await validate(body, {
      whitelist: true,
      forbidNonWhitelisted: true,
      stopAtFirstError: true,
      validationError: { target: false, value: false },
    });
    // An unknown top-level field fails the whitelist rule alone; anything else is a real error.
    const unknown = (error: ValidationError) =>
      Object.keys(error.constraints ?? {}).every((name) => name === WHITELIST) &&
      (error.children ?? []).length === 0;
    const ignored = errors.filter(unknown).map((error) => error.property);
    const refused = errors.filter((error) => !unknown(error));
    if (refused.length > 0) {
      throw badRequest('The request is not valid', validationDetails(refused));
    }
    for (const name of ignored) delete (body as Record<string, unknown>)[name];
    return { body, ignored };
  }
}

/** Tells the caller which parameters were left out (RFC 9111's `Warning`, code 299). */
export function warnIgnored(response: Response, ignored: string[]): void {
  if (ignored.length === 0) return;
  const names = ignored.map((name) => name.replace(/[^\w.-]/g, '?').slice(0, 64)).join(', ');
  response.setHeader('Warning', `299 - "ignored parameters: ${names}"`);
}
