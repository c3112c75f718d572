/**
 * Maps what the LLM call throws to Temporal failures the workflow's retry policy understands:
 * 429 → retried after the provider's Retry-After; 5xx, 408, timeouts and broken connections →
 * retried with backoff; any other 4xx → not retried (the request itself is wrong), and a 401/403
 * answered to the user's own key → `ProviderKeyRejected`, not retried (the user must fix the key).
 * Messages carry status and code only, never request text nor the key.
 */
import { TURN_ERRORS } from '@lab/contracts';
import { ApplicationFailure } from '@temporalio/common';

interface HttpishError {
  status?: unknown;
  headers?: { get?(name: string): string | null } | undefined;
  code?: unknown;
  name?: unknown;
}

export function retryAfterMs(headers: HttpishError['headers']): number | undefined {
  const ms = Number(headers?.get?.('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const value = headers?.get?.('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

export function toLlmFailure(
  error: unknown,
  { userKey = false }: { userKey?: boolean } = {},
): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const e = (error ?? {}) as HttpishError;
  const status = typeof e.status === 'number' ? e.status : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const details = [{ status: status ?? null, code: code ?? null }];
  if (status === 429) {
    const delay = retryAfterMs(e.headers);
    return ApplicationFailure.create({
      type: TURN_ERRORS.llmRateLimited,
      message: 'the LLM provider is rate limiting (429)',
      // The delay in the details too: a failure's next retry delay does not survive Temporal's
      // failure conversion, and the sessions service tells it to the client when retries run out.
      details: [{ ...details[0], ...(delay !== undefined ? { retryAfterMs: delay } : {}) }],
      ...(delay !== undefined ? { nextRetryDelay: delay } : {}),
    });
  }
  if (userKey && (status === 401 || status === 403)) {
    return ApplicationFailure.create({
      type: TURN_ERRORS.providerKeyRejected,
      message: `the LLM provider rejected the user's key (${status}${code ? ` ${code}` : ''})`,
      nonRetryable: true,
      details,
    });
  }
  if (status !== undefined && status >= 400 && status < 500 && status !== 408) {
    return ApplicationFailure.create({
      type: TURN_ERRORS.llmRejected,
      message: `the LLM provider rejected the request (${status}${code ? ` ${code}` : ''})`,
      nonRetryable: true,
      details,
    });
  }
  const what =
    status !== undefined
      ? `answered ${status}`
      : `failed (${typeof e.name === 'string' ? e.name : 'connection'})`;
  return ApplicationFailure.create({
    type: TURN_ERRORS.llmUnavailable,
    message: `the LLM provider ${what}`,
    details,
  });
}
