/**
 * The stream of a turn to its requester, over Redis pub/sub: guarded text in whole sentences,
 * `reset` when a retried attempt starts over, `guarded` when the guard stopped the stream.
 * The requester subscribes before the turn starts and leaves the turn's stream key in the turn
 * vault; every event is sealed under it (`sealStreamEvent`), so nothing readable crosses Redis.
 * A channel whose key is gone has no requester any more: its events are not published. The final
 * reply comes with the turn's result.
 */
import { sealStreamEvent, streamKeyRef, type TurnVault } from '@lab/platform';
import type { Redis } from 'ioredis';
import type { TokenLogprob } from '@lab/contracts';

export type TurnStreamEvent =
  | { type: 'delta'; text: string; index?: number; logprobs?: TokenLogprob[] }
  | { type: 'reset'; attempt: number }
  | { type: 'guarded'; index?: number };

export interface TurnStreamPublisher {
  publish(channel: string, event: TurnStreamEvent): Promise<void>;
}

/** Channels whose key this process has taken, most recent last (a turn streams for seconds). */
const KEYS_KEPT = 256;

export function redisTurnStream(redis: Redis, vault: TurnVault): TurnStreamPublisher {
  const keys = new Map<string, Promise<Buffer | undefined>>();
  const keyOf = (channel: string) => {
    let key = keys.get(channel);
    if (!key) {
      key = vault
        .take(streamKeyRef(channel))
        .then((secret) => (secret === undefined ? undefined : Buffer.from(secret, 'base64')));
      keys.set(channel, key);
      if (keys.size > KEYS_KEPT) keys.delete(keys.keys().next().value as string);
    }
    return key;
  };
  return {
    async publish(channel, event) {
      const key = await keyOf(channel);
      if (key) await redis.publish(channel, sealStreamEvent(event, key, channel));
    },
  };
}
