/**
 * A streamed turn as Server-Sent Events: `delta` events carry guarded sentences as the model
 * writes them, `reset` says a retried attempt starts the reply over, `guarded` says the guard
 * stopped the stream, and `done` carries the final reply (the replacement when guarded) with the
 * usage; `error` carries the error model. Subscribed before the turn starts, so nothing is missed.
 */
import type { ErrorBody } from '@lab/platform/http';
import { HttpException } from '@nestjs/common';
import type { Response } from 'express';
import type { TurnStreams } from '../turns/turn-streams';

export async function streamTurn<T>(
  response: Response,
  streams: TurnStreams,
  channel: string,
  run: () => Promise<T>,
): Promise<void> {
  response.status(200);
  response.setHeader('content-type', 'text/event-stream; charset=utf-8');
  response.setHeader('cache-control', 'no-cache, no-transform');
  response.setHeader('x-accel-buffering', 'no');
  response.flushHeaders();
  const send = (event: string, data: unknown) =>
    response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const close = await streams.open(channel, (event) => send(event.type, event));
  try {
    send('done', await run());
  } catch (error) {
    const body: ErrorBody =
      error instanceof HttpException
        ? (error.getResponse() as ErrorBody)
        : { error: { code: 'internal', message: 'An unexpected error occurred' } };
    send('error', body);
  } finally {
    await close();
    response.end();
  }
}
