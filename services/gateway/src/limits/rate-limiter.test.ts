import type { Redis } from 'ioredis';
import { RateLimiter, toDecision } from './rate-limiter';

describe('toDecision', () => {
  it('reads an allowed take as whole tokens and whole seconds', () => {
    expect(toDecision([1, '6.400000', 3_600, 0], 10)).toEqual({
      allowed: true,
      limit: 10,
      remaining: 6,
      resetSeconds: 4,
      retryAfterSeconds: 0,
    });
  });

  it('counts a nearly whole token left by float noise as whole', () => {
    expect(toDecision([1, '4.9999999', 5_000, 0], 10).remaining).toBe(5);
  });

  it('reads a denial with a retry delay of at least one second', () => {
    expect(toDecision([0, '0.300000', 9_700, 700], 10)).toEqual({
      allowed: false,
      limit: 10,
      remaining: 0,
      resetSeconds: 10,
      retryAfterSeconds: 1,
    });
    expect(toDecision([0, '0.000000', 10_000, 0], 10).retryAfterSeconds).toBe(1);
    expect(toDecision([0, '0.000000', 10_000, 2_001], 10).retryAfterSeconds).toBe(3);
  });

  it('reports a full bucket as resetting now', () => {
    expect(toDecision([1, '10.000000', 0, 0], 10).resetSeconds).toBe(0);
  });

  it('keeps the exact wait and the jitter window when it knows the refill rate', () => {
    const refused = toDecision([0, '0.300000', 9_700, 700], 10, 2);
    expect(refused.retryAfterMs).toBe(700);
    // Half of 10 tokens is 5: two and a half seconds at 2 per second.
    expect(refused.jitterWindowMs).toBe(2_500);
    expect(toDecision([1, '6.400000', 3_600, 0], 60, 5).jitterWindowMs).toBe(6_000);
    expect(toDecision([1, '6.400000', 3_600, 0], 60, 5).retryAfterMs).toBe(0);
  });
});

describe('RateLimiter', () => {
  const redis = { defineCommand: jest.fn() } as unknown as Redis;

  it('refuses a policy that could never allow or never refill', () => {
    expect(() => new RateLimiter(redis, 'p:', { capacity: 0, refillPerSecond: 1 })).toThrow(
      RangeError,
    );
    expect(() => new RateLimiter(redis, 'p:', { capacity: 5, refillPerSecond: 0 })).toThrow(
      RangeError,
    );
    expect(() => new RateLimiter(redis, 'p:', { capacity: NaN, refillPerSecond: 1 })).toThrow(
      RangeError,
    );
  });

  it('refuses a cost no bucket could ever pay', async () => {
    const limiter = new RateLimiter(redis, 'p:', { capacity: 5, refillPerSecond: 1 });
    await expect(limiter.take('k', 6)).rejects.toThrow(RangeError);
    await expect(limiter.take('k', -1)).rejects.toThrow(RangeError);
  });
});
