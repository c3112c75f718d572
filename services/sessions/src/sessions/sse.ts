/**
 * A streamed turn as Server-Sent Events: `delta` events carry guarded sentences as the model
 * writes them, `reset` says a retried attempt starts the reply over, `guarded` says the guard
 * stopped the stream, and `done` carries the final reply (the replacement when guarded) with the
 * usage; `error` carries the error model. Subscribed before the turn starts, so nothing is
 * missed; the stream begins once the session's workflow has accepted the turn, so a turn it
 * refuses (another one running, the session ended) is an ordinary error answer, not a stream.
 */
import { dependencyFailure, dependencyUnavailable, type ErrorBody } from '@lab/platform/http';
import { HttpException } from '@nestjs/common';
import type { Response } from 'express';
import type { TurnStreamEvent, TurnStreams } from '../turns/turn-streams';

export async function streamTurn<T>(
  response: Response,
  streams: TurnStreams,
  channel: string,
  run: (begin: () => void) => Promise<T>,
): Promise<void> {
  let begun = false;
  const early: TurnStreamEvent[] = [];
  const send = (event: string, data: unknown) =>
    response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const begin = () => {
    if (begun) return;
    begun = true;
    response.status(200);
    response.setHeader('content-type', 'text/event-stream; charset=utf-8');
    response.setHeader('cache-control', 'no-cache, no-transform');
    response.setHeader('x-accel-buffering', 'no');
    response.flushHeaders();
    for (const event of early.splice(0)) send(event.type, event);
  };
  const close = await streams.open(channel, (event) => {
    if (begun) send(event.type, event);
    else early.push(event);
  });
  try {
    const result = await run(begin);
    begin();
    send('done', result);
  } catch (error) {
    if (!begun) throw error; // refused before it began: the error model, as JSON
    send('error', streamedError(error));
  } finally {
    await close();
    if (begun) response.end();
  }
}

/** The error model for an error once the stream has begun (an outage as its 503's body). */
function streamedError(error: unknown): ErrorBody {
  if (error instanceof HttpException) return error.getResponse() as ErrorBody;
  const outage = dependencyFailure(error);
  if (outage) return dependencyUnavailable(outage.dependency).getResponse() as ErrorBody;
  return { error: { code: 'internal', message: 'An unexpected error occurred' } };
}
