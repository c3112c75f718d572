/**
 * Per-identity rate limits: one token bucket per limit key, kept in Redis so that every replica
 * of the gateway draws from the same bucket. A Lua script reads, refills and takes in one atomic
 * step, timed by the Redis server's clock (`TIME`): replicas whose clocks disagree still refill
 * a bucket at exactly the configured rate. An idle bucket expires once it would be full again,
 * since a missing bucket and a full one mean the same thing.
 */
import type { Redis } from 'ioredis';

export interface TokenBucketPolicy {
  /** Tokens a full bucket holds: the largest burst a caller may make. */
  capacity: number;
  /** Tokens added back per second, up to the capacity: the sustained rate. */
  refillPerSecond: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** The bucket's capacity. */
  limit: number;
  /** Whole tokens left after this take. */
  remaining: number;
  /** Seconds until the bucket is full again (0 when it is full). */
  resetSeconds: number;
  /** Seconds until a request of this cost would be allowed: 0 when allowed, else at least 1. */
  retryAfterSeconds: number;
  /** The same, exact: milliseconds until the tokens are there (0 when allowed). */
  retryAfterMs?: number;
  /** Milliseconds the bucket needs to refill half its capacity (the retry jitter window). */
  jitterWindowMs?: number;
}

/** What the guard needs of a limiter: lets tests put a fake in its place. */
export interface RateLimitDecider {
  readonly policy: TokenBucketPolicy;
  take(key: string, cost?: number): Promise<RateLimitDecision>;
}

/**
 * KEYS[1] the bucket (a hash: `tokens`, `at` = last update in ms of server time);
 * ARGV capacity, refill per second, cost, mode: `take` (take the cost when it is there), `check`
 * (tell whether it is there, take nothing) or `charge` (take it whatever is left: a cost known
 * only afterwards, such as a reply's tokens, may leave the bucket below zero, which the refill
 * pays back before the next check passes).
 * Returns { allowed (0|1), tokens left (string: Lua numbers would be truncated to integers),
 * ms until full, ms until `cost` tokens are available (0 when allowed) }.
 * Times are stored as formatted strings: Redis would print a bare Lua number with 14 significant
 * digits, which loses the milliseconds of a Unix time.
 */
export const TAKE_TOKENS_SCRIPT = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local mode = ARGV[4] or 'take'
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1])
local at = tonumber(bucket[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
elseif now > at then
  tokens = tokens + (now - at) * rate / 1000
  at = now
end
if tokens > capacity then tokens = capacity end
local allowed = 0
local retry_ms = 0
if mode == 'charge' then
  tokens = tokens - cost
  allowed = 1
elseif tokens >= cost then
  if mode ~= 'check' then tokens = tokens - cost end
  allowed = 1
else
  retry_ms = math.ceil((cost - tokens) * 1000 / rate)
end
local full_ms = math.ceil((capacity - tokens) * 1000 / rate)
local left = string.format('%.6f', tokens)
redis.call('HSET', KEYS[1], 'tokens', left, 'at', string.format('%.3f', at))
redis.call('PEXPIRE', KEYS[1], full_ms + 1000)
return { allowed, left, full_ms, retry_ms }
`;

/** The script's reply: [allowed, tokens left, ms until full, ms until allowed]. */
export type TakeTokensReply = [number, string, number, number];

const COMMAND = 'rateLimitTakeTokens';

/** How a call meets the bucket (see the script). */
export type BucketMode = 'take' | 'check' | 'charge';

interface TakeTokensCommand {
  [COMMAND](
    key: string,
    capacity: number,
    refillPerSecond: number,
    cost: number,
    mode: BucketMode,
  ): Promise<TakeTokensReply>;
}

export class RateLimiter implements RateLimitDecider {
  private readonly client: TakeTokensCommand;

  /**
   * @param redis any ioredis client; the script is registered on it (EVALSHA, loaded on demand).
   * @param prefix prepended to every limit key, e.g. `gateway:rate:`. Limit keys appear in Redis
   *   key names, so they must be identifiers, never secrets.
   */
  constructor(
    redis: Redis,
    private readonly prefix: string,
    readonly policy: TokenBucketPolicy,
  ) {
    const { capacity, refillPerSecond } = policy;
    if (!(Number.isFinite(capacity) && capacity > 0)) {
      throw new RangeError(`rate limit capacity must be a positive number, got ${capacity}`);
    }
    if (!(Number.isFinite(refillPerSecond) && refillPerSecond > 0)) {
      throw new RangeError(
        `rate limit refillPerSecond must be a positive number, got ${refillPerSecond}`,
      );
    }
    redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: TAKE_TOKENS_SCRIPT });
    this.client = redis as unknown as TakeTokensCommand;
  }

  async take(key: string, cost = 1): Promise<RateLimitDecision> {
    return this.run(key, cost, 'take');
  }

  /** Whether `cost` tokens are there, taking none (a budget charged after the fact). */
  async check(key: string, cost = 1): Promise<RateLimitDecision> {
    return this.run(key, cost, 'check');
  }

  /** Takes `cost` tokens whatever is left: the bucket may go below zero (`remaining` 0). */
  async charge(key: string, cost: number): Promise<RateLimitDecision> {
    if (!(Number.isFinite(cost) && cost >= 0)) {
      throw new RangeError(`rate limit charge must be a non-negative number, got ${cost}`);
    }
    return this.run(key, cost, 'charge');
  }

  private async run(key: string, cost: number, mode: BucketMode): Promise<RateLimitDecision> {
    if (
      mode !== 'charge' &&
      !(Number.isFinite(cost) && cost >= 0 && cost <= this.policy.capacity)
    ) {
      // A cost above the capacity could never be paid: a programming error, not a denial.
      throw new RangeError(
        `rate limit cost must be within 0..${this.policy.capacity}, got ${cost}`,
      );
    }
    const reply = await this.client[COMMAND](
      this.prefix + key,
      this.policy.capacity,
      this.policy.refillPerSecond,
      cost,
      mode,
    );
    return toDecision(reply, this.policy.capacity, this.policy.refillPerSecond);
  }
}

/** The script's reply as a decision in whole tokens and whole seconds. */
export function toDecision(
  reply: TakeTokensReply,
  capacity: number,
  refillPerSecond?: number,
): RateLimitDecision {
  const [allowed, tokensLeft, msUntilFull, msUntilAllowed] = reply;
  const isAllowed = allowed === 1;
  return {
    allowed: isAllowed,
    limit: capacity,
    // The epsilon absorbs float noise (4.9999999 tokens are 5).
    remaining: Math.max(0, Math.floor(Number(tokensLeft) + 1e-6)),
    resetSeconds: Math.max(0, Math.ceil(msUntilFull / 1000)),
    retryAfterSeconds: isAllowed ? 0 : Math.max(1, Math.ceil(msUntilAllowed / 1000)),
    ...(refillPerSecond
      ? {
          retryAfterMs: isAllowed ? 0 : Math.max(0, msUntilAllowed),
          jitterWindowMs: Math.ceil((Math.max(1, capacity / 2) * 1000) / refillPerSecond),
        }
      : {}),
  };
}
