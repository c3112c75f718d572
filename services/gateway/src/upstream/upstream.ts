/**
 * The internal services behind the gateway (assistants, sessions), called over HTTP with the
 * gateway's internal token and the authenticated user. Their answers pass through: a success as
 * is, an error in the platform's error model with its status. Only the sessions service gets key
 * material, and only on the routes that need it (`keys`): the caller's data key, and their own
 * OpenAI key for a route that calls the model, left in the turn vault under a reference that
 * travels instead (`x-key-ref`, see `holdCallerKeys`): no raw key crosses the hop.
 */
import { Readable } from 'node:stream';
import { HttpException, HttpStatus } from '@nestjs/common';
import { IDEMPOTENCY_KEY_PATTERN } from '@lab/contracts';
import { holdCallerKeys, KEY_REF_HEADER, type TurnVault } from '@lab/platform';
import {
  ApiException,
  badRequest,
  type ErrorBody,
  OUTAGE_RETRY_AFTER_SECONDS,
} from '@lab/platform/http';
import type { Request, Response } from 'express';
import type { AuthenticatedCaller } from '../identity/caller';

const IDEMPOTENCY_KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);
const invalidIdempotencyKey = () =>
  badRequest('The Idempotency-Key is not valid', [
    { field: 'Idempotency-Key', message: '1 to 100 characters of letters, digits and _ . : -' },
  ]);

export interface UpstreamCall {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** A raw body instead of JSON (an upload): its bytes, content type and headers of its own. */
  raw?: { bytes: Buffer; contentType: string; headers?: Record<string, string> };
  /** The incoming request: its id and Idempotency-Key travel on. */
  request?: Request;
  /**
   * The key material the route needs: `data` (the data key: it reads or writes the user's
   * text), `model` (also their own provider key: it calls the model). None when absent.
   */
  keys?: 'data' | 'model';
}

export interface UpstreamAnswer<T> {
  status: number;
  body: T;
}

export class Upstream {
  constructor(
    readonly name: string,
    private readonly baseUrl: string,
    private readonly token: string,
    /** Where the caller's key material is left for this service; none: it gets none. */
    private readonly vault?: TurnVault,
  ) {}

  /** Calls and answers the parsed body; an error answer is thrown as that error. */
  async json<T>(caller: AuthenticatedCaller, call: UpstreamCall): Promise<UpstreamAnswer<T>> {
    const answer = await this.send(caller, call);
    const text = await answer.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      throw this.unavailable(`${this.name} answered ${answer.status} without JSON`);
    }
    if (answer.status >= 400) throw upstreamError(answer.status, body, answer.headers);
    return { status: answer.status, body: body as T };
  }

  /**
   * Server-Sent Events from the service straight to the client. An answer that is not a stream
   * (an error before the turn started) is passed on as JSON. The client going away stops the
   * upstream request (the turn itself goes on in Temporal, and its result stays retrievable).
   */
  async pipeEvents(caller: AuthenticatedCaller, call: UpstreamCall, response: Response) {
    const abort = new AbortController();
    response.on('close', () => abort.abort());
    const answer = await this.send(caller, call, abort.signal);
    if (
      !(answer.headers.get('content-type') ?? '').startsWith('text/event-stream') ||
      !answer.body
    ) {
      const body: unknown = await answer.json().catch(() => undefined);
      throw upstreamError(answer.status, body, answer.headers);
    }
    response.status(200);
    response.setHeader('content-type', 'text/event-stream; charset=utf-8');
    response.setHeader('cache-control', 'no-cache, no-transform');
    response.setHeader('x-accel-buffering', 'no');
    response.flushHeaders();
    await new Promise<void>((resolve) => {
      const source = Readable.fromWeb(answer.body as never);
      source.on('error', () => resolve());
      source.on('end', () => resolve());
      source.pipe(response);
    });
  }

  /** The raw answer, for callers that read the stream themselves (the OpenAI-compatible API). */
  async fetch(caller: AuthenticatedCaller, call: UpstreamCall, signal?: AbortSignal) {
    return this.send(caller, call, signal);
  }

  private async send(
    caller: AuthenticatedCaller,
    call: UpstreamCall,
    signal?: AbortSignal,
  ): Promise<globalThis.Response> {
    const url = new URL(call.path, this.baseUrl);
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {
      'x-internal-token': this.token,
      'x-user-id': caller.userId,
    };
    if (call.keys) headers[KEY_REF_HEADER] = await this.keyRef(caller, call.keys);
    // The API key's id (not its secret), for usage attribution per key (decision 0009).
    if (this.vault && caller.kind === 'api_key' && caller.limitKey.startsWith('key:'))
      headers['x-caller-key-id'] = caller.limitKey.slice('key:'.length);
    const requestId = call.request ? requestIdOf(call.request) : undefined;
    if (requestId) headers['x-request-id'] = requestId;
    const idempotencyKey = call.request?.header('idempotency-key');
    if (idempotencyKey !== undefined) {
      // Present is present: an empty or malformed key is the caller's mistake, never "no key".
      if (!IDEMPOTENCY_KEY.test(idempotencyKey)) throw invalidIdempotencyKey();
      headers['idempotency-key'] = idempotencyKey;
    }
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (call.raw)
      Object.assign(headers, call.raw.headers, { 'content-type': call.raw.contentType });
    try {
      return await fetch(url, {
        method: call.method ?? 'GET',
        headers,
        ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
        ...(call.raw ? { body: call.raw.bytes } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      // The request may have arrived before the service went away: a repeat with the same
      // Idempotency-Key gets its outcome, never a second execution.
      throw this.unavailable(
        `The ${this.name} service is unreachable; repeat the request with the same Idempotency-Key`,
      );
    }
  }

  /** A fresh reference per request (the service redeems it once). */
  private async keyRef(caller: AuthenticatedCaller, keys: 'data' | 'model'): Promise<string> {
    if (!this.vault) throw new Error(`the ${this.name} service is not handed key material`);
    try {
      return await holdCallerKeys(this.vault, {
        dataKey: caller.dataKey,
        providerKey: keys === 'model' ? caller.providerKey : undefined,
        previousDataKey: caller.previousDataKey,
      });
    } catch {
      throw this.unavailable('The key vault is unreachable');
    }
  }

  private unavailable(message: string): ApiException {
    return new ApiException(
      HttpStatus.SERVICE_UNAVAILABLE,
      'unavailable',
      message,
      [{ field: 'dependency', message: this.name }],
      { retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS },
    );
  }
}

/** A service's error answer as the gateway passes it on: its status, body and Retry-After. */
export class UpstreamError extends HttpException {
  constructor(
    body: ErrorBody,
    status: number,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(body, status);
  }
}

/** An error answer of a service, kept in the error model with its status and Retry-After. */
export function upstreamError(status: number, body: unknown, headers?: Headers): HttpException {
  const retryAfter = Number(headers?.get('retry-after') ?? Number.NaN);
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
  const errorBody = body as ErrorBody | undefined;
  if (typeof errorBody?.error?.code === 'string')
    return new UpstreamError(errorBody, status, retryAfterSeconds);
  return new ApiException(
    status >= 400 ? status : HttpStatus.BAD_GATEWAY,
    status >= 500 ? 'upstream_error' : 'bad_request',
    'The request could not be completed',
    undefined,
    retryAfterSeconds ? { retryAfterSeconds } : {},
  );
}

/** The request's id (pino-http's, from `x-request-id` or new), passed on to the services. */
export function requestIdOf(request: Request): string | undefined {
  const id = (request as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

export const ASSISTANTS = Symbol('ASSISTANTS_UPSTREAM');
export const SESSIONS = Symbol('SESSIONS_UPSTREAM');
