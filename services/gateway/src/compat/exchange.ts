/**
 * What both OpenAI-compatible exchanges (chat completions, Responses) do around the sessions
 * service's `/completions`: name the assistant a `model` means, and open the turn's event stream
 * as the caller's SSE answer.
 */
import { HttpException, HttpStatus } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AuthenticatedCaller } from '../identity/caller';
import { type Upstream, upstreamError } from '../upstream/upstream';
import { modelNotFound, SHARE_CODE, UUID } from './chat-completions.controller';

/** `assistant/<uuid>` names it; anything else is a share code (404 `model_not_found` if none). */
export async function resolveAssistant(
  assistants: Upstream,
  caller: AuthenticatedCaller,
  name: string,
  request: Request,
): Promise<string> {
  if (UUID.test(name)) return name.toLowerCase();
  try {
    if (!SHARE_CODE.test(name)) throw new HttpException('not found', HttpStatus.NOT_FOUND);
    const path = `/assistants/by-code/${encodeURIComponent(name)}`;
    const { body } = await assistants.json<{ id: string }>(caller, { path, request });
    return body.id;
  } catch (error) {
    if (error instanceof HttpException && error.getStatus() === 404) {
      throw modelNotFound(`assistant/${name}`);
    }
    throw error;
  }
}

/**
 * The turn's events from the sessions service, with the caller's answer made an open SSE stream
 * (an upstream refusal before any event is thrown as the caller's error). The stream is aborted
 * when the caller goes away.
 */
export async function openTurnStream(
  sessions: Upstream,
  caller: AuthenticatedCaller,
  call: Parameters<Upstream['fetch']>[1],
  response: Response,
): Promise<ReadableStream<Uint8Array>> {
  const abort = new AbortController();
  response.on('close', () => abort.abort());
  const answer = await sessions.fetch(caller, { ...call, query: { stream: 'true' } }, abort.signal);
  if (!(answer.headers.get('content-type') ?? '').startsWith('text/event-stream') || !answer.body) {
    throw upstreamError(answer.status, await answer.json().catch(() => undefined), answer.headers);
  }
  response.status(200);
  response.setHeader('content-type', 'text/event-stream; charset=utf-8');
  response.setHeader('cache-control', 'no-cache, no-transform');
  response.setHeader('x-accel-buffering', 'no');
  response.flushHeaders();
  return answer.body;
}
