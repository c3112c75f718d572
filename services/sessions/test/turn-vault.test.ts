import { randomBytes } from 'node:crypto';
import { DecryptionError, TURN_VAULT_TTL_MS, TurnVault } from '@lab/platform';
import { requireVariable, testNamespace } from '@lab/platform/testing';
import { Redis } from 'ioredis';

describe('the turn vault on the real Redis', () => {
  const ns = testNamespace('turn-vault');
  let redis: Redis;
  let vault: TurnVault;
  const vaultKey = randomBytes(32);

  beforeAll(() => {
    redis = new Redis(requireVariable('REDIS_URL'));
    vault = new TurnVault(redis, vaultKey, { prefix: ns.redisPrefix });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${ns.redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('holds a secret encrypted, for a bounded time, under an opaque reference', async () => {
    const secret = `sk-user-${randomBytes(8).toString('hex')}`;
    const ref = TurnVault.newRef('provider-key');
    expect(ref).toMatch(/^provider-key:[A-Za-z0-9_-]{24}$/);
    expect(ref).not.toContain(secret);
    await vault.hold(ref, secret);
    const stored = await redis.get(`${ns.redisPrefix}${ref}`);
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain(secret);
    const ttl = await redis.pttl(`${ns.redisPrefix}${ref}`);
    expect(ttl).toBeGreaterThan(TURN_VAULT_TTL_MS - 5_000);
    expect(ttl).toBeLessThanOrEqual(TURN_VAULT_TTL_MS);
    expect(await vault.take(ref)).toBe(secret);
    await vault.forget(ref);
    expect(await vault.take(ref)).toBeUndefined();
  });

  it('expires entries', async () => {
    const short = new TurnVault(redis, vaultKey, { prefix: ns.redisPrefix, ttlMs: 100 });
    const ref = TurnVault.newRef('data-key');
    await short.hold(ref, 'secret');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await short.take(ref)).toBeUndefined();
  });

  it('reads an entry only under its own name and with the same vault key', async () => {
    const ref = TurnVault.newRef('provider-key');
    await vault.hold(ref, 'sk-copied');
    const stored = (await redis.get(`${ns.redisPrefix}${ref}`)) as string;
    const other = TurnVault.newRef('provider-key');
    await redis.set(`${ns.redisPrefix}${other}`, stored, 'PX', 60_000);
    await expect(vault.take(other)).rejects.toBeInstanceOf(DecryptionError);
    const elsewhere = new TurnVault(redis, randomBytes(32), { prefix: ns.redisPrefix });
    await expect(elsewhere.take(ref)).rejects.toBeInstanceOf(DecryptionError);
    await expect(vault.hold('no spaces allowed', 'x')).rejects.toThrow(RangeError);
    expect(() => new TurnVault(redis, randomBytes(16))).toThrow(RangeError);
  });
});
