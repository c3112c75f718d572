import { type ExecutionContext, HttpStatus, Logger } from '@nestjs/common';
import { ApiException } from '@lab/platform/http';
import type { AuthenticatedCaller } from '../identity/caller';
import { RateLimitGuard } from './rate-limit.guard';
import type { RateLimitDecider, RateLimitDecision } from './rate-limiter';

const POLICY = { capacity: 3, refillPerSecond: 1 };

function decision(overrides: Partial<RateLimitDecision> = {}): RateLimitDecision {
  return {
    allowed: true,
    limit: 3,
    remaining: 2,
    resetSeconds: 1,
    retryAfterSeconds: 0,
    ...overrides,
  };
}

function fakeLimiter(take: RateLimitDecider['take']): RateLimitDecider & { keys: string[] } {
  const keys: string[] = [];
  return {
    policy: POLICY,
    keys,
    take: (key, cost) => {
      keys.push(key);
      return take(key, cost);
    },
  };
}

function httpContext(caller?: Partial<AuthenticatedCaller>) {
  const headers: Record<string, string> = {};
  const request = { caller };
  const response = { setHeader: (name: string, value: string) => (headers[name] = value) };
  const context = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ExecutionContext;
  return { context, headers };
}

describe('RateLimitGuard', () => {
  let errorLog: jest.SpyInstance;

  beforeEach(() => {
    errorLog = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => errorLog.mockRestore());

  it('counts the request against the caller’s limit key and sets the headers', async () => {
    const limiter = fakeLimiter(() => Promise.resolve(decision()));
    const guard = new RateLimitGuard(limiter, { timeoutMs: 100 });
    const { context, headers } = httpContext({ limitKey: 'key-42' });

    await expect(guard.canActivate(context)).resolves.toBe(true);
    expect(limiter.keys).toEqual(['key-42']);
    expect(headers).toMatchObject({
      'RateLimit-Limit': '3',
      'RateLimit-Remaining': '2',
      'RateLimit-Reset': '1',
      'X-RateLimit-Limit': '3',
      'X-RateLimit-Remaining': '2',
    });
    expect(headers['Retry-After']).toBeUndefined();
  });

  it('refuses an empty bucket with 429 rate_limited, Retry-After and the headers', async () => {
    const limiter = fakeLimiter(() =>
      Promise.resolve(
        decision({ allowed: false, remaining: 0, resetSeconds: 3, retryAfterSeconds: 2 }),
      ),
    );
    const guard = new RateLimitGuard(limiter, { timeoutMs: 100 });
    const { context, headers } = httpContext({ limitKey: 'key-42' });

    const refusal = await guard.canActivate(context).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ApiException);
    const exception = refusal as ApiException;
    expect(exception.getStatus()).toBe(HttpStatus.TOO_MANY_REQUESTS);
    expect(exception.getResponse()).toEqual({
      error: { code: 'rate_limited', message: expect.stringContaining('retry in 2 s') },
    });
    expect(headers['Retry-After']).toBe('2');
    expect(headers['RateLimit-Remaining']).toBe('0');
  });

  it('leaves unauthenticated requests to the authentication guard', async () => {
    const limiter = fakeLimiter(() => Promise.resolve(decision()));
    const guard = new RateLimitGuard(limiter, { timeoutMs: 100 });
    const { context, headers } = httpContext(undefined);

    await expect(guard.canActivate(context)).resolves.toBe(true);
    expect(limiter.keys).toEqual([]);
    expect(headers).toEqual({});
  });

  it('fails open, with one error log, when Redis fails', async () => {
    const limiter = fakeLimiter(() => Promise.reject(new Error('connect ECONNREFUSED')));
    const guard = new RateLimitGuard(limiter, { timeoutMs: 100 });

    for (let i = 0; i < 3; i++) {
      const { context, headers } = httpContext({ limitKey: 'key-42' });
      await expect(guard.canActivate(context)).resolves.toBe(true);
      expect(headers).toEqual({});
    }
    // Logged once, not once a request: an outage must not flood the logs.
    expect(errorLog).toHaveBeenCalledTimes(1);
    expect(errorLog.mock.calls[0]?.[0]).toContain('ECONNREFUSED');
  });

  it('fails open when Redis does not answer within the timeout', async () => {
    const limiter = fakeLimiter(() => new Promise<RateLimitDecision>(() => undefined));
    const guard = new RateLimitGuard(limiter, { timeoutMs: 20 });
    const { context, headers } = httpContext({ limitKey: 'key-42' });

    await expect(guard.canActivate(context)).resolves.toBe(true);
    expect(headers).toEqual({});
    expect(errorLog.mock.calls[0]?.[0]).toContain('within 20 ms');
  });
});
