/**
 * The one error model of every HTTP API of the platform:
 *   { "error": { "code": "validation_failed", "message": "...", "details": [...] } }
 * with the right status. A client's mistake is never answered with a 500.
 */
import { HttpException, HttpStatus } from '@nestjs/common';

export interface ErrorDetail {
  field?: string;
  message: string;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: ErrorDetail[] };
}

export interface ApiExceptionOptions {
  /** Answered as `Retry-After` (whole seconds): when repeating the request makes sense. */
  retryAfterSeconds?: number;
}

export class ApiException extends HttpException {
  readonly retryAfterSeconds: number | undefined;

  constructor(
    status: HttpStatus,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    options: ApiExceptionOptions = {},
  ) {
    super(
      { error: { code, message, ...(details ? { details } : {}) } } satisfies ErrorBody,
      status,
    );
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const notFound = (what: string) =>
  new ApiException(HttpStatus.NOT_FOUND, 'not_found', `${what} not found`);

export const conflict = (message: string) =>
  new ApiException(HttpStatus.CONFLICT, 'conflict', message);

export const badRequest = (message: string, details?: ErrorDetail[]) =>
  new ApiException(HttpStatus.BAD_REQUEST, 'validation_failed', message, details);

/** The code of a status when the thrower gave none. */
export function codeForStatus(status: number): string {
  const codes: Record<number, string> = {
    400: 'bad_request',
    401: 'unauthenticated',
    403: 'forbidden',
    404: 'not_found',
    405: 'method_not_allowed',
    409: 'conflict',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
    422: 'unprocessable',
    429: 'rate_limited',
    503: 'unavailable',
  };
  return codes[status] ?? (status >= 500 ? 'internal' : 'bad_request');
}
