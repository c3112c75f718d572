/**
 * Maps everything a handler throws to the platform's error model. HttpExceptions keep their
 * status (and their code when they carry one); a dependency that cannot be reached is 503
 * `unavailable` (dependency-failure.ts); anything else is unexpected: 500 with a generic
 * message, the details going to the log only. Every 503 and 504 says when to try again
 * (`Retry-After`). Body parsing errors are answered by json-body.ts.
 */
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { codeForStatus, type ErrorBody } from './api-error';
import {
  dependencyFailure,
  dependencyUnavailable,
  OUTAGE_RETRY_AFTER_SECONDS,
} from './dependency-failure';

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const [status, body, retryAfter] = this.answer(exception);
    if (response.headersSent) return;
    if (retryAfter !== undefined && !response.getHeader('retry-after'))
      response.setHeader('retry-after', String(retryAfter));
    response.status(status).json(body);
  }

  /**
   * What the exception answers: its status and body in the error model, and when to retry
   * (seconds) where that applies; logs outages and unexpected errors. Filters that answer in
   * another model (the OpenAI-compatible routes) start from this.
   */
  protected answer(exception: unknown): [number, ErrorBody, number | undefined] {
    const outage = exception instanceof HttpException ? undefined : dependencyFailure(exception);
    const answered = outage ? dependencyUnavailable(outage.dependency) : exception;
    const [status, body] = this.toErrorBody(answered);
    if (outage) {
      this.logger.warn(
        `${outage.dependency ?? 'a dependency'} unavailable: ${(exception as Error).message}`,
      );
    } else if (status >= 500) {
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    }
    return [status, body, retryAfterOf(answered, status)];
  }

  protected toErrorBody(exception: unknown): [number, ErrorBody] {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      if (isErrorBody(payload)) return [status, payload];
      const message =
        typeof payload === 'string'
          ? payload
          : typeof (payload as { message?: unknown }).message === 'string'
            ? (payload as { message: string }).message
            : exception.message;
      return [status, { error: { code: codeForStatus(status), message } }];
    }
    // PostgreSQL's class 22 (data exception: a NUL byte in text, a number out of range, ...)
    // means the request carried data the database cannot hold: the client's mistake.
    const sqlState = (exception as { driverError?: { code?: unknown } } | null)?.driverError?.code;
    if (typeof sqlState === 'string' && sqlState.startsWith('22')) {
      return [
        HttpStatus.BAD_REQUEST,
        {
          error: {
            code: 'invalid_data',
            message: 'The request carries a value that cannot be stored',
          },
        },
      ];
    }
    return [
      HttpStatus.INTERNAL_SERVER_ERROR,
      { error: { code: 'internal', message: 'An unexpected error occurred' } },
    ];
  }
}

/** The exception's own Retry-After, else the outage default for 503 and 504. */
function retryAfterOf(exception: unknown, status: number): number | undefined {
  const own = (exception as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
  if (typeof own === 'number' && own > 0) return Math.ceil(own);
  return status === 503 || status === 504 ? OUTAGE_RETRY_AFTER_SECONDS : undefined;
}

function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorBody).error === 'object' &&
    typeof (value as ErrorBody).error?.code === 'string'
  );
}
