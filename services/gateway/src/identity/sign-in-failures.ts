/**
 * Failed sign-ins are limited per client address and per credential: each costs a PBKDF2 hash
 * and often a call to the LLM provider, so a client guessing keys (or one key from many
 * addresses) must not be able to make the gateway do that at its own pace. A token bucket in
 * Redis per address and per credential (an HMAC of it: never the credential itself); a failure
 * takes a token, and an empty bucket answers 429 `too_many_failed_sign_ins` before any work.
 * Redis out of reach: let through (the per-request rate limit's rule, rate-limit.guard.ts).
 */
import { HttpStatus } from '@nestjs/common';
import { ApiException } from '@lab/platform/http';
import type { Redis } from 'ioredis';
import { RateLimiter, type TokenBucketPolicy } from '../limits/rate-limiter';

const REDIS_TIMEOUT_MS = 500;

export class SignInThrottled extends ApiException {
  constructor(override readonly retryAfterSeconds: number) {
    super(
      HttpStatus.TOO_MANY_REQUESTS,
      'too_many_failed_sign_ins',
      `Too many failed sign-ins; retry in ${retryAfterSeconds} s`,
      undefined,
      { retryAfterSeconds },
    );
  }
}

export class SignInFailures {
  private readonly limiter: RateLimiter;

  constructor(redis: Redis, prefix: string, policy: TokenBucketPolicy) {
    this.limiter = new RateLimiter(redis, prefix, policy);
  }

  /** 429 when the address or the credential has no failures left. */
  async refuseIfExhausted(keys: string[]): Promise<void> {
    for (const key of keys) {
      const decision = await this.withTimeout(this.limiter.take(key, 0));
      if (decision && decision.remaining < 1) {
        throw new SignInThrottled(
          Math.max(1, Math.ceil((1 - decision.remaining) / this.limiter.policy.refillPerSecond)),
        );
      }
    }
  }

  async count(keys: string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.withTimeout(this.limiter.take(key, 1))));
  }

  private async withTimeout<T>(work: Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), REDIS_TIMEOUT_MS);
    });
    try {
      return await Promise.race([work.catch(() => undefined), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
