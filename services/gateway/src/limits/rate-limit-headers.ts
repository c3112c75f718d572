/**
 * The headers that tell a client where it stands against its rate limit:
 *  - `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` as in the IETF draft
 *    (draft-ietf-httpapi-ratelimit-headers): Reset is delta seconds until the bucket is full;
 *  - `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` for older clients, where
 *    Reset follows the widespread convention of a Unix time in seconds;
 *  - OpenAI's `x-ratelimit-limit-requests`, `x-ratelimit-remaining-requests` and
 *    `x-ratelimit-reset-requests` (a duration such as `1.2s`: until the bucket is full), which
 *    OpenAI SDK users and agent frameworks read;
 *  - `Retry-After` (delta seconds, at least 1) and `retry-after-ms` when the request is refused:
 *    the time until the bucket has a token again, plus a random share of the time it takes to
 *    refill half its capacity. Clients refused together (an SDK's concurrent retries) are told
 *    different times, so their retries spread over the refill instead of colliding on the next
 *    token (a crowd up to half the burst gets through in one retry); the OpenAI SDKs wait
 *    exactly `retry-after-ms`.
 */
import type { RateLimitDecision } from './rate-limiter';

/** A duration as OpenAI writes it in `x-ratelimit-reset-*`: `850ms`, `12s`, `1m30s`. */
export function openAiDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const seconds = Math.round(ms / 100) / 10;
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${Math.round(seconds - minutes * 60)}s`;
}

export function rateLimitHeaders(
  decision: RateLimitDecision,
  nowMs: number = Date.now(),
  random: () => number = Math.random,
): Record<string, string> {
  const limit = String(decision.limit);
  const remaining = String(decision.remaining);
  const headers: Record<string, string> = {
    'RateLimit-Limit': limit,
    'RateLimit-Remaining': remaining,
    'RateLimit-Reset': String(decision.resetSeconds),
    'X-RateLimit-Limit': limit,
    'X-RateLimit-Remaining': remaining,
    'X-RateLimit-Reset': String(Math.ceil(nowMs / 1000) + decision.resetSeconds),
    'x-ratelimit-limit-requests': limit,
    'x-ratelimit-remaining-requests': remaining,
    'x-ratelimit-reset-requests': openAiDuration(decision.resetSeconds * 1000),
  };
  if (!decision.allowed) {
    if (decision.retryAfterMs !== undefined) {
      const ms = Math.ceil(decision.retryAfterMs + random() * (decision.jitterWindowMs ?? 0));
      headers['retry-after-ms'] = String(Math.max(1, ms));
      headers['Retry-After'] = String(Math.max(1, Math.ceil(ms / 1000)));
    } else headers['Retry-After'] = String(retryAfterSeconds(decision));
  }
  return headers;
}

/** Whole seconds, never 0: `Retry-After: 0` invites an immediate retry that would be refused. */
export function retryAfterSeconds(decision: RateLimitDecision): number {
  return Math.max(1, Math.ceil(decision.retryAfterSeconds));
}

/**
 * OpenAI's `x-ratelimit-{limit,remaining,reset}-tokens` for a caller's token budget (a bucket of
 * tokens per minute, charged with each exchange's usage); refused, `Retry-After` and
 * `retry-after-ms` as above, from the time the refill takes to pay back what was overspent.
 */
export function tokenRateLimitHeaders(
  decision: RateLimitDecision,
  random: () => number = Math.random,
): Record<string, string> {
  const headers: Record<string, string> = {
    'x-ratelimit-limit-tokens': String(decision.limit),
    'x-ratelimit-remaining-tokens': String(decision.remaining),
    'x-ratelimit-reset-tokens': openAiDuration(decision.resetSeconds * 1000),
  };
  if (!decision.allowed) {
    const { 'Retry-After': after, 'retry-after-ms': ms } = rateLimitHeaders(decision, 0, random);
    if (after) headers['Retry-After'] = after;
    if (ms) headers['retry-after-ms'] = ms;
  }
  return headers;
}
