/**
 * The stream of a turn to its requester, over Redis pub/sub: guarded text in whole sentences,
 * `reset` when a retried attempt starts over, `guarded` when the guard stopped the stream.
 * The requester subscribes before the turn starts; the final reply comes with the turn's result.
 */
import type { Redis } from 'ioredis';

export type TurnStreamEvent =
  { type: 'delta'; text: string } | { type: 'reset'; attempt: number } | { type: 'guarded' };

export interface TurnStreamPublisher {
  publish(channel: string, event: TurnStreamEvent): Promise<void>;
}

export function redisTurnStream(redis: Redis): TurnStreamPublisher {
  return {
    async publish(channel, event) {
      await redis.publish(channel, JSON.stringify(event));
    },
  };
}
