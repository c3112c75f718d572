/**
 * The headers that tell a client where it stands against its rate limit:
 *  - `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` as in the IETF draft
 *    (draft-ietf-httpapi-ratelimit-headers): Reset is delta seconds until the bucket is full;
 *  - `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` for older clients, where
 *    Reset follows the widespread convention of a Unix time in seconds;
 *  - `Retry-After` (delta seconds, at least 1) when the request is refused.
 */
import type { RateLimitDecision } from './rate-limiter';

export function rateLimitHeaders(
  decision: RateLimitDecision,
  nowMs: number = Date.now(),
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
  };
  if (!decision.allowed) headers['Retry-After'] = String(retryAfterSeconds(decision));
  return headers;
}

/** Whole seconds, never 0: `Retry-After: 0` invites an immediate retry that would be refused. */
export function retryAfterSeconds(decision: RateLimitDecision): number {
  return Math.max(1, Math.ceil(decision.retryAfterSeconds));
}
