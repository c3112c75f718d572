/**
 * The Node HTTP server under a service: timeouts that fit an API, and the errors Node's HTTP
 * layer answers by itself (before any route runs) in the platform's error model too:
 *  - headers larger than Node's limit (16 KiB): 431 `headers_too_large`;
 *  - bytes a request line or header may not hold (control bytes, bad tokens): 400 `bad_request`;
 *  - headers not received within `headersTimeoutMs`, or the whole request (body included)
 *    within `requestTimeoutMs`: 408 `request_timeout`;
 *  - a URL longer than MAX_URL_LENGTH: 414 `uri_too_long` (middleware `urlLength`).
 * Without the `clientError` listener Node writes a bare status line with an empty body.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { RequestHandler } from 'express';
import type { ErrorBody } from './api-error';

export interface HttpServerLimits {
  /** Until the request's headers are in (Node's `headersTimeout`); default 10 s. */
  headersTimeoutMs: number;
  /** Until the whole request, body included, is in (Node's `requestTimeout`); default 30 s. */
  requestTimeoutMs: number;
}

export const DEFAULT_HTTP_SERVER_LIMITS: HttpServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

export const MAX_URL_LENGTH = 8192;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
};

/** The answer to one of Node's own client errors, by its code. */
export function clientErrorAnswer(code: string | undefined): [number, ErrorBody] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [
        431,
        { error: { code: 'headers_too_large', message: 'The request headers are too large' } },
      ];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return [
        408,
        {
          error: { code: 'request_timeout', message: 'The request did not arrive in time' },
        },
      ];
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [
        413,
        { error: { code: 'payload_too_large', message: 'The chunk extensions are too large' } },
      ];
    default:
      return [
        400,
        {
          error: {
            code: 'bad_request',
            message: 'The request is not valid HTTP (its request line or headers)',
          },
        },
      ];
  }
}

function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const [status, body] = clientErrorAnswer(error.code);
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Bad Request'}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(text)}\r\n` +
      'connection: close\r\n\r\n' +
      text,
  );
}

/** Nest's Express adapter with a server made with the limits and the JSON client errors. */
export class HardenedExpressAdapter extends ExpressAdapter {
  constructor(private readonly limits: HttpServerLimits = DEFAULT_HTTP_SERVER_LIMITS) {
    super();
  }

  override initHttpServer(options: Parameters<ExpressAdapter['initHttpServer']>[0]): void {
    if (options?.httpsOptions) {
      super.initHttpServer(options);
      return;
    }
    const server = http.createServer(
      {
        headersTimeout: this.limits.headersTimeoutMs,
        requestTimeout: this.limits.requestTimeoutMs,
        // How often Node looks for requests past their timeouts (its default is 30 s).
        connectionsCheckingInterval: Math.min(
          1000,
          this.limits.headersTimeoutMs,
          this.limits.requestTimeoutMs,
        ),
      },
      this.getInstance<http.RequestListener>(),
    );
    server.on('clientError', answerClientError);
    this.setHttpServer(server);
  }
}

/** 414 `uri_too_long` in the error model for a URL past MAX_URL_LENGTH. */
export const urlLength: RequestHandler = (req, res, next) => {
  if (req.originalUrl.length <= MAX_URL_LENGTH) {
    next();
    return;
  }
  res.status(414).json({
    error: { code: 'uri_too_long', message: `The URL exceeds ${MAX_URL_LENGTH} characters` },
  } satisfies ErrorBody);
};
