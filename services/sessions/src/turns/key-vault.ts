/**
 * Hands a user's data key from the request that brought it to the activities of that turn,
 * without it ever entering Temporal: the key is wrapped with this service's vault key and held
 * in Redis under the turn's id for a bounded time (memory only, expiring). A turn whose key is
 * gone fails without retry; the client repeats the request, which brings the key again.
 */
import { unwrapDataKey, wrapDataKey } from '@lab/platform';
import { ApplicationFailure } from '@temporalio/common';
import { TURN_ERRORS } from '@lab/contracts';
import type { Redis } from 'ioredis';

export const KEY_TTL_MS = 15 * 60_000;

export class TurnKeyVault {
  constructor(
    private readonly redis: Redis,
    private readonly vaultKey: Buffer,
  ) {}

  async hold(sessionId: string, turnRef: string, dataKey: Buffer): Promise<void> {
    await this.redis.set(
      this.name(sessionId, turnRef),
      wrapDataKey(dataKey, this.vaultKey),
      'PX',
      KEY_TTL_MS,
    );
  }

  async take(sessionId: string, turnRef: string): Promise<Buffer> {
    const wrapped = await this.redis.get(this.name(sessionId, turnRef));
    if (!wrapped) {
      throw ApplicationFailure.create({
        type: TURN_ERRORS.keyUnavailable,
        message: 'the key material for this turn is no longer available; repeat the request',
        nonRetryable: true,
      });
    }
    return unwrapDataKey(wrapped, this.vaultKey);
  }

  async forget(sessionId: string, turnRef: string): Promise<void> {
    await this.redis.del(this.name(sessionId, turnRef));
  }

  /** Turn ids are the clients' idempotency keys: unique within a session only. */
  private name(sessionId: string, turnRef: string): string {
    return `sessions:turn-key:${sessionId}:${turnRef}`;
  }
}
