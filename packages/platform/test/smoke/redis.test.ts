import { requireVariable, testNamespace } from '@lab/platform/testing';
import { Redis } from 'ioredis';

describe('Redis (real server)', () => {
  const ns = testNamespace('smoke-redis');
  let redis: Redis;
  let subscriber: Redis;

  beforeAll(() => {
    redis = new Redis(requireVariable('REDIS_URL'), { lazyConnect: false });
    subscriber = new Redis(requireVariable('REDIS_URL'));
  });

  afterAll(async () => {
    await redis.quit();
    await subscriber.quit();
  });

  it('stores a value with an expiry and reads it back', async () => {
    const key = `${ns.redisPrefix}greeting`;
    await redis.set(key, 'hello', 'EX', 60);
    expect(await redis.get(key)).toBe('hello');
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('delivers a published message to a subscriber', async () => {
    const channel = `${ns.redisPrefix}stream`;
    await subscriber.subscribe(channel);
    const received = new Promise<string>((resolve) =>
      subscriber.once('message', (_channel: string, message: string) => resolve(message)),
    );
    expect(await redis.publish(channel, 'token-1')).toBe(1);
    await expect(received).resolves.toBe('token-1');
  });
});
