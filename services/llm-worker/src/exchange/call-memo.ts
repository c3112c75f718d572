/**
 * Finished model calls, remembered for the turn they belong to: a call's answer is kept (sealed
 * under the turn's key, in Redis, for as long as the turn vault keeps keys) the moment the
 * provider has given it, and a retried activity (its worker died, or its result never reached
 * Temporal) takes it instead of calling the model, and paying for it, again.
 */
import { CALL_MEMO_PREFIX } from '@lab/contracts';
import { DecryptionError, type SessionCipher, TURN_VAULT_TTL_MS } from '@lab/platform';
import type { Redis } from 'ioredis';
import type { ModelAnswer } from '../llm/call-model';

export interface CallMemo {
  /** The answer of an earlier attempt of this call, if one finished. */
  recall(cipher: SessionCipher, callId: string): Promise<ModelAnswer | undefined>;
  keep(cipher: SessionCipher, callId: string, answer: ModelAnswer): Promise<void>;
}

export function redisCallMemo(redis: Redis, prefix = CALL_MEMO_PREFIX): CallMemo {
  const name = (cipher: SessionCipher, callId: string) => `${prefix}${cipher.scope}:${callId}`;
  return {
    async recall(cipher, callId) {
      const sealed = await redis.get(name(cipher, callId));
      if (sealed === null) return undefined;
      try {
        const kept = cipher.openJson<{ callId: string; answer: ModelAnswer }>('model-call', sealed);
        return kept.callId === callId ? kept.answer : undefined;
      } catch (error) {
        if (error instanceof DecryptionError) return undefined; // another key: not this turn's
        throw error;
      }
    },
    async keep(cipher, callId, answer) {
      await redis.set(
        name(cipher, callId),
        cipher.sealJson('model-call', { callId, answer }),
        'PX',
        TURN_VAULT_TTL_MS,
      );
    },
  };
}
