/**
 * OpenAI's error model on the OpenAI-compatible routes (`/v1/chat/completions`, `/v1/models*`):
 *   { "error": { "message", "type", "param", "code", "details"? } }
 * The platform's error (its code and details) is kept, and said the way OpenAI's SDKs read it:
 * the reason in `message` (not only in `details`), an OpenAI `type`, the field in `param`. A
 * spend cap is 429 `insufficient_quota`, as OpenAI answers an exhausted quota (402 means nothing
 * to its SDKs); the platform's own limit is 429 `rate_limit_exceeded` with the `Retry-After` the
 * rate-limit guard set from the bucket, and a model provider that kept rate limiting 429
 * `rate_limit_exceeded` with the provider's `Retry-After`.
 */
import { type ArgumentsHost, Catch, HttpStatus } from '@nestjs/common';
import { type ErrorBody, type ErrorDetail, HttpErrorFilter } from '@lab/platform/http';
import type { Response } from 'express';

export interface OpenAiErrorBody {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
    details?: ErrorDetail[];
  };
}

function typeForStatus(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** The message with its reason: the details, each with its field, after the summary. */
function reasonOf(body: ErrorBody): string {
  const { message, details } = body.error;
  if (!details || details.length === 0) return message;
  const reasons = details.map((d) => (d.field ? `${d.field}: ${d.message}` : d.message));
  // "The request is not valid" says nothing the reasons do not: they replace it.
  return message === 'The request is not valid'
    ? reasons.join('; ')
    : `${message} (${reasons.join('; ')})`;
}

/** A platform error (status and body) as OpenAI answers it. */
export function toOpenAiError(status: number, body: ErrorBody): [number, OpenAiErrorBody] {
  const { code, details } = body.error;
  const param = details?.find((d) => d.field)?.field ?? null;
  const keep = details ? { details } : {};
  if (code === 'spend_cap_reached') {
    return [
      HttpStatus.TOO_MANY_REQUESTS,
      {
        error: {
          message: reasonOf(body),
          type: 'insufficient_quota',
          param: null,
          code: 'insufficient_quota',
          ...keep,
        },
      },
    ];
  }
  if (code === 'rate_limited' || code === 'llm_rate_limited') {
    return [
      status,
      {
        error: {
          message: reasonOf(body),
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
          ...keep,
        },
      },
    ];
  }
  return [
    status,
    { error: { message: reasonOf(body), type: typeForStatus(status), param, code, ...keep } },
  ];
}

/** The platform's error filter, answering in OpenAI's model (bound on the compatible routes). */
@Catch()
export class OpenAiErrorFilter extends HttpErrorFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    // The outage mapping, the log and Retry-After (the model provider's own wait passed on, or
    // the outage default) are the platform filter's; the rate-limit guard set ours already.
    const [platformStatus, platformBody, retryAfter] = this.answer(exception);
    if (response.headersSent) return;
    const [status, body] = toOpenAiError(platformStatus, platformBody);
    if (retryAfter !== undefined && !response.getHeader('retry-after'))
      response.setHeader('retry-after', String(retryAfter));
    response.status(status).json(body);
  }
}
