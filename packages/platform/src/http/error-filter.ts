/**
 * Maps everything a handler throws to the platform's error model. HttpExceptions keep their
 * status (and their code when they carry one); anything else is unexpected: 500 with a generic
 * message, the details going to the log only. Body parsing errors are answered by json-body.ts.
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

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const [status, body] = this.toErrorBody(exception);
    if (status >= 500)
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (!response.headersSent) response.status(status).json(body);
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

function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorBody).error === 'object' &&
    typeof (value as ErrorBody).error?.code === 'string'
  );
}
