/**
 * A streamed chat turn (`POST /v1/sessions/{id}/messages?stream=true`), as Server-Sent Events:
 * `delta` (guarded text, appended), `reset` (a retried attempt starts the reply over),
 * `guarded` (the guard stopped the reply; `done` brings the replacement), `done` (the final
 * reply and usage), `error` (the error model). Parsed with eventsource-parser; the state
 * of the reply on screen is a pure fold of these events.
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { Schemas } from '@lab/client';
import { type ErrorBody, isErrorBody, StreamInterruptedError } from './errors';

export type TurnResult = Schemas['TurnResult'];

export type TurnEvent =
  | { type: 'delta'; text: string }
  | { type: 'reset' }
  | { type: 'guarded' }
  | { type: 'done'; result: TurnResult }
  | { type: 'error'; error: ErrorBody };

export interface StreamedReply {
  text: string;
  guarded: boolean;
  finished: boolean;
  result: TurnResult | null;
  error: ErrorBody | null;
}

export const emptyReply: StreamedReply = {
  text: '',
  guarded: false,
  finished: false,
  result: null,
  error: null,
};

export function applyTurnEvent(reply: StreamedReply, event: TurnEvent): StreamedReply {
  switch (event.type) {
    case 'delta':
      return reply.finished ? reply : { ...reply, text: reply.text + event.text };
    case 'reset':
      return { ...reply, text: '' };
    case 'guarded':
      return { ...reply, guarded: true };
    case 'done':
      return {
        ...reply,
        text: event.result.reply,
        guarded: reply.guarded || event.result.guardHit,
        finished: true,
        result: event.result,
      };
    case 'error':
      return { ...reply, finished: true, error: event.error };
  }
}

/** One SSE message as a turn event, or null for events this portal does not know. */
export function toTurnEvent(event: string | undefined, data: string): TurnEvent | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  const body = parsed as Record<string, unknown>;
  switch (event) {
    case 'delta':
      return typeof body.text === 'string' ? { type: 'delta', text: body.text } : null;
    case 'reset':
      return { type: 'reset' };
    case 'guarded':
      return { type: 'guarded' };
    case 'done':
      return { type: 'done', result: parsed as TurnResult };
    case 'error':
      return isErrorBody(parsed) ? { type: 'error', error: parsed } : null;
    default:
      return null;
  }
}

/**
 * Reads the events of a turn's stream until it ends. A stream that ends (or breaks) without
 * `done` or `error` throws StreamInterruptedError: the caller reloads the stored turn.
 */
export async function readTurnStream(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: TurnEvent) => void,
): Promise<void> {
  const events = body
    .pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>)
    .pipeThrough(new EventSourceParserStream());
  const reader = events.getReader();
  let ended = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const event = toTurnEvent(value.event, value.data);
      if (!event) continue;
      onEvent(event);
      if (event.type === 'done' || event.type === 'error') ended = true;
    }
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new StreamInterruptedError();
  } finally {
    reader.releaseLock();
  }
  if (!ended) throw new StreamInterruptedError();
}
