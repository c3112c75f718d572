import { describe, expect, it } from 'vitest';
import { ApiError, apiErrorFrom, describeError, StreamInterruptedError } from './errors';

describe('describeError: every error a person can meet, in words', () => {
  it('a refused OpenAI key asks to check it and sign in again', () => {
    const words = describeError(
      apiErrorFrom(401, {
        error: { code: 'invalid_openai_key', message: 'The LLM provider refused this OpenAI key' },
      }),
    );
    expect(words.title).toBe('Your OpenAI key was not accepted');
    expect(words.action).toBe('sign-in');
  });

  it('a key of the wrong shape says what an OpenAI key looks like', () => {
    const words = describeError(
      apiErrorFrom(401, {
        error: {
          code: 'unauthenticated',
          message:
            'The bearer credential is not an OpenAI key, an OIDC token or a platform API key',
        },
      }),
    );
    expect(words.title).toBe('That is not an OpenAI key');
    expect(words.detail).toContain('sk-');
    expect(words.action).toBe('sign-in');
  });

  it('throttled sign-ins say how long to wait', () => {
    const words = describeError(
      apiErrorFrom(
        429,
        {
          error: {
            code: 'too_many_failed_sign_ins',
            message: 'Too many failed sign-ins; retry in 42 s',
          },
        },
        new Headers({ 'retry-after': '42' }),
      ),
    );
    expect(words.title).toBe('Too many failed sign-ins');
    expect(words.detail).toContain('wait 42 seconds');
  });

  it('rate limited: says how long to wait, from Retry-After or the message', () => {
    const withHeader = apiErrorFrom(
      429,
      {
        error: {
          code: 'rate_limited',
          message: 'Rate limit of 60 requests exceeded; retry in 7 s',
        },
      },
      new Headers({ 'retry-after': '3' }),
    );
    expect(describeError(withHeader).detail).toContain('wait 3 seconds');
    const fromMessage = apiErrorFrom(429, {
      error: { code: 'rate_limited', message: 'Rate limit of 60 requests exceeded; retry in 7 s' },
    });
    expect(describeError(fromMessage).detail).toContain('wait 7 seconds');
  });

  it('spend cap: which cap, how much, and when it resets', () => {
    const error = apiErrorFrom(402, {
      error: {
        code: 'spend_cap_reached',
        message:
          'The daily spend cap of this user (0.0040 USD) is reached; it resets at 2026-12-03T00:00:00.000Z',
        details: [
          { field: 'user.daily', message: 'spent 0.0061 USD of a daily cap of 0.0040 USD' },
        ],
      },
    });
    const words = describeError(error);
    expect(words.title).toBe('Spend cap reached');
    expect(words.detail).toContain('daily spend cap of your account (0.0040 USD)');
    expect(words.detail).toContain('It resets on');
    expect(words.detail).toContain('2026');
  });

  it('an API key’s weekly cap names the key', () => {
    const error = apiErrorFrom(402, {
      error: {
        code: 'spend_cap_reached',
        message:
          'The weekly spend cap of this API key (5.0000 USD) is reached; it resets at 2026-12-07T00:00:00.000Z',
        details: [{ field: 'apiKey.weekly', message: '…' }],
      },
    });
    expect(describeError(error).detail).toContain('weekly spend cap of this API key');
  });

  it('the provider down, a 404, an ended session, a lost stream', () => {
    expect(
      describeError(apiErrorFrom(503, { error: { code: 'llm_unavailable', message: 'x' } })).title,
    ).toBe('The model provider is not answering');
    expect(
      describeError(apiErrorFrom(404, { error: { code: 'not_found', message: 'x' } })).detail,
    ).toBe('This does not exist, or it belongs to someone else.');
    expect(
      describeError(apiErrorFrom(409, { error: { code: 'session_ended', message: 'x' } })).title,
    ).toBe('This session has ended');
    const lost = describeError(new StreamInterruptedError());
    expect(lost.action).toBe('resume');
    expect(lost.title).toBe('Connection lost during the reply');
  });

  it('validation problems list each field', () => {
    const error = new ApiError(400, 'invalid_data', 'bad', [
      { field: 'name', message: 'must not be empty' },
    ]);
    expect(describeError(error).detail).toBe('name: must not be empty');
  });

  it('a network failure or a body that is not the error model never shows raw text', () => {
    expect(describeError(new TypeError('Failed to fetch')).title).toBe(
      'The platform could not be reached',
    );
    const odd = apiErrorFrom(502, '<html>Bad gateway</html>');
    expect(odd.code).toBe('http_502');
    expect(describeError(odd).detail).not.toContain('<html>');
  });
});
