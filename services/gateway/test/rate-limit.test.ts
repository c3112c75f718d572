import { createServer } from 'node:net';
import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  type INestApplication,
  Injectable,
  Logger,
  Module,
  UseGuards,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HttpErrorFilter } from '@lab/platform/http';
import { requireVariable, testNamespace } from '@lab/platform/testing';
import { Redis } from 'ioredis';
import type { CallerRequest } from '../src/identity/caller';
import { RateLimitGuard, RateLimitModule, RateLimiter, type RateLimitRedis } from '../src/limits';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('rate limits (real Redis)', () => {
  const ns = testNamespace('gateway-rate-limit');
  // Two gateway replicas: separate connections drawing from the same buckets.
  let replicaA: Redis;
  let replicaB: Redis;

  beforeAll(() => {
    replicaA = new Redis(requireVariable('REDIS_URL'));
    replicaB = new Redis(requireVariable('REDIS_URL'));
  });

  afterAll(async () => {
    await replicaA.quit();
    await replicaB.quit();
  });

  // A refill so slow that no token can come back during a test.
  const NO_REFILL = 0.001;

  it('allows exactly the capacity to a burst from two replicas sharing a key', async () => {
    const policy = { capacity: 10, refillPerSecond: NO_REFILL };
    const limiters = [
      new RateLimiter(replicaA, ns.redisPrefix, policy),
      new RateLimiter(replicaB, ns.redisPrefix, policy),
    ];

    const decisions = await Promise.all(
      Array.from({ length: 50 }, (_, i) => limiters[i % 2]!.take('burst')),
    );

    const allowed = decisions.filter((d) => d.allowed);
    expect(allowed).toHaveLength(10);
    // Atomic takes: each allowed request saw a different count left, 9 down to 0.
    expect(allowed.map((d) => d.remaining).sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    for (const denied of decisions.filter((d) => !d.allowed)) {
      expect(denied).toMatchObject({ limit: 10, remaining: 0 });
      expect(denied.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
  });

  it('gives tokens back over time, up to the capacity and no further', async () => {
    // 5 tokens a second: after a one-second wait a drained bucket of 2 is full again, with a
    // margin of 3 tokens for a slow machine.
    const limiter = new RateLimiter(replicaA, ns.redisPrefix, { capacity: 2, refillPerSecond: 5 });

    const drained = await limiter.take('refill', 2);
    expect(drained).toMatchObject({ allowed: true, remaining: 0 });
    expect(drained.resetSeconds).toBeGreaterThanOrEqual(1);

    await sleep(1_000);

    const afterWait = await limiter.take('refill', 2);
    expect(afterWait).toMatchObject({ allowed: true, remaining: 0 });

    await sleep(1_500);
    const full = await limiter.take('refill');
    expect(full).toMatchObject({ allowed: true, remaining: 1 }); // capped at 2, then one taken
  });

  it('keeps separate keys independent', async () => {
    const limiter = new RateLimiter(replicaA, ns.redisPrefix, {
      capacity: 1,
      refillPerSecond: NO_REFILL,
    });

    expect((await limiter.take('alice')).allowed).toBe(true);
    expect((await limiter.take('alice')).allowed).toBe(false);
    expect((await limiter.take('bob')).allowed).toBe(true);
    expect((await limiter.take('alice')).allowed).toBe(false);
  });

  it('tells a refused caller when to retry, in whole seconds of at least one', async () => {
    // One token every two seconds.
    const limiter = new RateLimiter(replicaB, ns.redisPrefix, {
      capacity: 1,
      refillPerSecond: 0.5,
    });

    expect((await limiter.take('retry')).allowed).toBe(true);
    const refused = await limiter.take('retry');
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(2);

    // A fast refill still never says "retry in 0 seconds".
    const fast = new RateLimiter(replicaB, ns.redisPrefix, { capacity: 1, refillPerSecond: 100 });
    expect((await fast.take('retry-fast')).allowed).toBe(true);
    const soon = await fast.take('retry-fast');
    if (!soon.allowed) expect(soon.retryAfterSeconds).toBe(1);
  });

  it('checks without taking, and charges a cost known afterwards past zero', async () => {
    const policy = { capacity: 100, refillPerSecond: NO_REFILL };
    const limiter = new RateLimiter(replicaA, ns.redisPrefix, policy);

    const checked = await limiter.check('budget');
    expect(checked).toMatchObject({ allowed: true, remaining: 100 });
    expect((await limiter.check('budget')).remaining).toBe(100);

    // A reply's tokens, charged after it: more than is left takes the bucket below zero.
    expect(await limiter.charge('budget', 70)).toMatchObject({ allowed: true, remaining: 30 });
    const over = await limiter.charge('budget', 80);
    expect(over).toMatchObject({ allowed: true, remaining: 0 });
    expect(over.resetSeconds).toBeGreaterThan(100 / NO_REFILL);

    // The next check fails until the refill has paid back the debt and one token more.
    const refused = await limiter.check('budget');
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThanOrEqual((51 * 1000) / NO_REFILL - 1000);
    await expect(limiter.charge('budget', -1)).rejects.toThrow(RangeError);
  });

  it('lets an idle bucket expire once it would be full again', async () => {
    const limiter = new RateLimiter(replicaA, ns.redisPrefix, { capacity: 3, refillPerSecond: 1 });
    await limiter.take('idle', 3);

    const ttl = await replicaA.pttl(`${ns.redisPrefix}idle`);
    // Three seconds to refill, plus the one-second margin.
    expect(ttl).toBeGreaterThan(2_000);
    expect(ttl).toBeLessThanOrEqual(4_000);
  });

  describe('the guard in a Nest application', () => {
    /** Stands in for the gateway's authentication guard. */
    @Injectable()
    class HeaderAuthGuard implements CanActivate {
      canActivate(context: ExecutionContext): boolean {
        const request = context.switchToHttp().getRequest<CallerRequest>();
        const key = request.header('x-test-caller');
        if (key) {
          request.caller = {
            userId: key,
            kind: 'api_key',
            limitKey: key,
            scopes: [],
            dataKey: Buffer.alloc(32),
          };
        }
        return true;
      }
    }

    @Controller()
    @UseGuards(HeaderAuthGuard, RateLimitGuard)
    class PingController {
      @Get('ping')
      ping() {
        return { pong: true };
      }
    }

    async function startApp(redis: RateLimitRedis, capacity: number) {
      @Module({
        imports: [
          RateLimitModule.forRoot({
            ...redis,
            prefix: ns.redisPrefix,
            capacity,
            refillPerSecond: NO_REFILL,
            timeoutMs: 300,
          }),
        ],
        controllers: [PingController],
      })
      class PingModule {}

      const app = await NestFactory.create(PingModule, { logger: false });
      app.useGlobalFilters(new HttpErrorFilter());
      await app.listen(0, '127.0.0.1');
      return app;
    }

    const get = async (app: INestApplication, caller?: string) => {
      const url = `${await app.getUrl()}/ping`;
      const response = await fetch(url, {
        headers: caller ? { 'x-test-caller': caller } : {},
      });
      return { status: response.status, headers: response.headers, body: await response.json() };
    };

    it('sets the headers on every answer and refuses an empty bucket with 429', async () => {
      // The application's own client, lent to the limiter through its provider token.
      const APP_REDIS = Symbol('APP_REDIS');
      @Module({ providers: [{ provide: APP_REDIS, useValue: replicaA }], exports: [APP_REDIS] })
      class AppRedisModule {}

      const app = await startApp({ redisToken: APP_REDIS, imports: [AppRedisModule] }, 2);
      try {
        const caller = `http-${Date.now()}`;
        const first = await get(app, caller);
        expect(first.status).toBe(200);
        expect(first.headers.get('ratelimit-limit')).toBe('2');
        expect(first.headers.get('ratelimit-remaining')).toBe('1');
        expect(Number(first.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
        expect(first.headers.get('x-ratelimit-limit')).toBe('2');
        expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
        expect(Number(first.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
        expect(first.headers.get('retry-after')).toBeNull();

        expect((await get(app, caller)).status).toBe(200);

        const refused = await get(app, caller);
        expect(refused.status).toBe(429);
        expect(refused.body).toEqual({
          error: { code: 'rate_limited', message: expect.stringContaining('retry in') },
        });
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(refused.headers.get('ratelimit-remaining')).toBe('0');

        // Unauthenticated requests are not counted here (authentication refuses them).
        const anonymous = await get(app);
        expect(anonymous.status).toBe(200);
        expect(anonymous.headers.get('ratelimit-limit')).toBeNull();
      } finally {
        await app.close();
      }
      // A lent client stays its owner's to close.
      expect(replicaA.status).toBe('ready');
    });

    it('fails open when Redis is unreachable', async () => {
      const errorLog = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const port = await unusedPort();
      const unreachable = () => {
        // A short disconnectTimeout: ioredis arms it (2 s by default) even on a socket that has
        // already closed, which would outlive the test.
        const redis = new Redis({
          host: '127.0.0.1',
          port,
          maxRetriesPerRequest: 1,
          disconnectTimeout: 50,
        });
        redis.on('error', () => undefined); // the reconnect attempts are expected here
        return redis;
      };
      const app = await startApp({ redisFactory: unreachable }, 1);
      try {
        const started = Date.now();
        for (let i = 0; i < 3; i++) {
          const answer = await get(app, 'during-outage');
          expect(answer.status).toBe(200);
          expect(answer.headers.get('ratelimit-limit')).toBeNull();
        }
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(errorLog).toHaveBeenCalledWith(expect.stringContaining('rate limiter unavailable'));
      } finally {
        await app.close();
        errorLog.mockRestore();
      }
    });
  });
});

function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
