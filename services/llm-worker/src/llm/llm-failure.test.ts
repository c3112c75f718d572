import { TURN_ERRORS } from '@lab/contracts';
import { ApplicationFailure } from '@temporalio/common';
import { retryAfterMs, toLlmFailure } from './llm-failure';

const headers = (values: Record<string, string>) => ({
  get: (name: string) => values[name] ?? null,
});

describe('LLM failures for the retry policy', () => {
  it('retries a 429 after the provider’s Retry-After', () => {
    const failure = toLlmFailure({ status: 429, headers: headers({ 'retry-after': '2' }) });
    expect(failure.type).toBe(TURN_ERRORS.llmRateLimited);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(2000);
    // ...and in the details, which reach the sessions service when the retries run out.
    expect(failure.details).toEqual([{ status: 429, code: null, retryAfterMs: 2000 }]);
    expect(retryAfterMs(headers({ 'retry-after-ms': '350', 'retry-after': '9' }))).toBe(350);
    expect(retryAfterMs(headers({}))).toBeUndefined();
    const date = new Date(Date.now() + 5_000).toUTCString();
    expect(retryAfterMs(headers({ 'retry-after': date }))).toBeGreaterThan(3_000);
  });

  it('fails a rejected request at once, naming only status and code', () => {
    const failure = toLlmFailure({
      status: 400,
      code: 'context_length_exceeded',
      message: 'your prompt: SECRET',
    });
    expect(failure.type).toBe(TURN_ERRORS.llmRejected);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(
      'the LLM provider rejected the request (400 context_length_exceeded)',
    );
    expect(failure.message).not.toContain('SECRET');
  });

  it('names a 401/403 to the user’s own key as a rejected key, without retry', () => {
    for (const status of [401, 403]) {
      const failure = toLlmFailure(
        { status, code: 'invalid_api_key', message: 'Incorrect API key provided: sk-...0001' },
        { userKey: true },
      );
      expect(failure.type).toBe(TURN_ERRORS.providerKeyRejected);
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).not.toContain('sk-');
    }
    // The worker's own key rejected is the platform's problem, not the user's key.
    expect(toLlmFailure({ status: 401, code: 'invalid_api_key' }).type).toBe(
      TURN_ERRORS.llmRejected,
    );
    expect(toLlmFailure({ status: 400 }, { userKey: true }).type).toBe(TURN_ERRORS.llmRejected);
  });

  it('retries 5xx, 408 and broken connections with backoff', () => {
    for (const error of [
      { status: 500 },
      { status: 503 },
      { status: 408 },
      { name: 'APIConnectionError' },
      new TypeError('terminated'),
    ]) {
      const failure = toLlmFailure(error);
      expect(failure.type).toBe(TURN_ERRORS.llmUnavailable);
      expect(failure.nonRetryable).toBe(false);
      expect(failure.nextRetryDelay).toBeUndefined();
    }
  });

  it('passes an ApplicationFailure through unchanged', () => {
    const original = ApplicationFailure.nonRetryable('already typed', 'Custom');
    expect(toLlmFailure(original)).toBe(original);
  });
});
