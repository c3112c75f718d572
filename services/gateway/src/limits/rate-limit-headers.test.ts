import { rateLimitHeaders, retryAfterSeconds } from './rate-limit-headers';

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
});
