import {
  openAiDuration,
  rateLimitHeaders,
  retryAfterSeconds,
  tokenRateLimitHeaders,
} from './rate-limit-headers';

const NOW_MS = 1_750_000_000_500; // half a second past 1 750 000 000

describe('rateLimitHeaders', () => {
  it('sets the draft headers and the legacy ones on an allowed request, without Retry-After', () => {
    const headers = rateLimitHeaders(
      { allowed: true, limit: 60, remaining: 59, resetSeconds: 1, retryAfterSeconds: 0 },
      NOW_MS,
    );
    expect(headers).toEqual({
      'RateLimit-Limit': '60',
      'RateLimit-Remaining': '59',
      'RateLimit-Reset': '1',
      'X-RateLimit-Limit': '60',
      'X-RateLimit-Remaining': '59',
      // A Unix time in seconds: the convention of the X- headers.
      'X-RateLimit-Reset': String(1_750_000_001 + 1),
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-reset-requests': '1s',
    });
  });

  it('adds Retry-After in whole seconds when the request is refused', () => {
    const headers = rateLimitHeaders(
      { allowed: false, limit: 60, remaining: 0, resetSeconds: 60, retryAfterSeconds: 2 },
      NOW_MS,
    );
    expect(headers['Retry-After']).toBe('2');
    expect(headers['RateLimit-Remaining']).toBe('0');
    expect(headers['RateLimit-Reset']).toBe('60');
  });

  it('never answers Retry-After: 0', () => {
    const refused = {
      allowed: false,
      limit: 5,
      remaining: 0,
      resetSeconds: 1,
      retryAfterSeconds: 0,
    };
    expect(retryAfterSeconds(refused)).toBe(1);
    expect(rateLimitHeaders(refused, NOW_MS)['Retry-After']).toBe('1');
  });

  it('tells refused callers the exact wait plus a share of the refill, so retries spread', () => {
    const refused = {
      allowed: false,
      limit: 60,
      remaining: 0,
      resetSeconds: 12,
      retryAfterSeconds: 1,
      retryAfterMs: 200,
      jitterWindowMs: 1_200,
    };
    const soonest = rateLimitHeaders(refused, NOW_MS, () => 0);
    expect(soonest['retry-after-ms']).toBe('200');
    expect(soonest['Retry-After']).toBe('1');
    const latest = rateLimitHeaders(refused, NOW_MS, () => 0.999);
    expect(Number(latest['retry-after-ms'])).toBe(1_399);
    expect(latest['Retry-After']).toBe('2');
    // Two callers refused at once, with different draws, are told different times.
    const waits = [0.1, 0.5, 0.9].map(
      (draw) => rateLimitHeaders(refused, NOW_MS, () => draw)['retry-after-ms'],
    );
    expect(new Set(waits).size).toBe(3);
  });
});

describe('openAiDuration', () => {
  it('writes durations as OpenAI does', () => {
    expect(openAiDuration(850)).toBe('850ms');
    expect(openAiDuration(12_000)).toBe('12s');
    expect(openAiDuration(1_250)).toBe('1.3s');
    expect(openAiDuration(90_000)).toBe('1m30s');
  });
});

describe('tokenRateLimitHeaders', () => {
  it("tells a token budget in OpenAI's -tokens headers, and a spent one when to retry", () => {
    const allowed = {
      allowed: true,
      limit: 600,
      remaining: 420,
      resetSeconds: 18,
      retryAfterSeconds: 0,
      retryAfterMs: 0,
      jitterWindowMs: 30_000,
    };
    expect(tokenRateLimitHeaders(allowed)).toEqual({
      'x-ratelimit-limit-tokens': '600',
      'x-ratelimit-remaining-tokens': '420',
      'x-ratelimit-reset-tokens': '18s',
    });
    const spent = { ...allowed, allowed: false, remaining: 0, retryAfterMs: 4_100 };
    const headers = tokenRateLimitHeaders(spent, () => 0);
    expect(headers['retry-after-ms']).toBe('4100');
    expect(headers['Retry-After']).toBe('5');
    expect(headers['x-ratelimit-remaining-tokens']).toBe('0');
    expect(headers['x-ratelimit-limit-requests']).toBeUndefined();
  });
});
