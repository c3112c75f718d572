/**
 * The one error model of the API (`{ error: { code, message, details } }`) as the portal meets
 * it, and its translation into words a person can act on. Every screen shows errors through
 * `describeError`, so no one ever sees a blank screen or raw JSON.
 */
export interface ErrorDetail {
  field?: string;
  message: string;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: ErrorDetail[] };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** From `Retry-After` on a 429, in seconds. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A stream that broke before its `done` event: the turn may still have been stored. */
export class StreamInterruptedError extends Error {
  constructor() {
    super('The connection was lost while the reply was being written');
    this.name = 'StreamInterruptedError';
  }
}

export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = value.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

export function apiErrorFrom(status: number, body: unknown, headers?: Headers): ApiError {
  const retryAfter = Number(headers?.get('retry-after'));
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
  if (isErrorBody(body)) {
    return new ApiError(
      status,
      body.error.code,
      body.error.message,
      body.error.details ?? [],
      retryAfterSeconds,
    );
  }
  return new ApiError(status, `http_${status}`, `The platform answered ${status}`, [], null);
}

export type ErrorAction = 'sign-in' | 'retry' | 'resume' | 'none';

export interface ErrorInWords {
  title: string;
  detail: string;
  action: ErrorAction;
}

const PERIOD_WORDS: Record<string, string> = {
  daily: 'daily',
  weekly: 'weekly',
  monthly: 'monthly',
};

/** "at 2026-12-03T00:00:00.000Z" in the reader's own time. */
function localTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function spendCapInWords(error: ApiError): ErrorInWords {
  const field = error.details[0]?.field ?? '';
  const [scope, period] = field.split('.');
  const resets = /resets at (\S+)/.exec(error.message)?.[1];
  const cap = /\(([\d.]+) USD\)/.exec(error.message)?.[1];
  const who = scope === 'apiKey' ? 'this API key' : 'your account';
  const periodWord = PERIOD_WORDS[period ?? ''] ?? 'spend';
  return {
    title: 'Spend cap reached',
    detail:
      `The ${periodWord} spend cap of ${who}${cap ? ` (${cap} USD)` : ''} is used up, so nothing was sent to the model.` +
      (resets ? ` It resets on ${localTime(resets)}.` : ''),
    action: 'none',
  };
}

export function describeError(error: unknown): ErrorInWords {
  if (error instanceof StreamInterruptedError) {
    return {
      title: 'Connection lost during the reply',
      detail:
        'The connection dropped while the reply was being written. The conversation is saved on the platform: reload it to see the stored reply.',
      action: 'resume',
    };
  }
  if (!(error instanceof ApiError)) {
    if (error instanceof DOMException && error.name === 'AbortError') {
      return { title: 'Stopped', detail: 'You stopped the request.', action: 'none' };
    }
    if (error instanceof Error && !(error instanceof TypeError) && error.message) {
      return { title: 'That did not work', detail: error.message, action: 'retry' };
    }
    return {
      title: 'The platform could not be reached',
      detail: 'Check your connection and try again.',
      action: 'retry',
    };
  }
  switch (error.code) {
    case 'invalid_openai_key':
      return {
        title: 'Your OpenAI key was not accepted',
        detail:
          'The model provider refused this key. Check that you pasted the whole key, then sign in again.',
        action: 'sign-in',
      };
    case 'unauthenticated':
      // A credential of no shape the platform knows is refused before any provider call.
      if (/not an OpenAI key/i.test(error.message)) {
        return {
          title: 'That is not an OpenAI key',
          detail:
            'OpenAI keys start with “sk-” and are a few dozen characters long. Copy the whole key from your OpenAI account, then sign in again.',
          action: 'sign-in',
        };
      }
      return {
        title: 'Please sign in',
        detail: 'Your sign-in is missing or has expired. Sign in again to go on.',
        action: 'sign-in',
      };
    case 'forbidden':
      return { title: 'Not allowed', detail: error.message, action: 'none' };
    case 'too_many_failed_sign_ins': {
      const wait =
        error.retryAfterSeconds ?? Number(/retry in (\d+)/.exec(error.message)?.[1] ?? NaN);
      return {
        title: 'Too many failed sign-ins',
        detail: Number.isFinite(wait)
          ? `Sign-in is paused after several refused keys. Please wait ${wait} second${wait === 1 ? '' : 's'}, check the key, and try again.`
          : 'Sign-in is paused after several refused keys. Please wait a moment, check the key, and try again.',
        action: 'sign-in',
      };
    }
    case 'rate_limited': {
      const wait =
        error.retryAfterSeconds ?? Number(/retry in (\d+)/.exec(error.message)?.[1] ?? NaN);
      return {
        title: 'Too many requests',
        detail: Number.isFinite(wait)
          ? `You are sending requests faster than allowed. Please wait ${wait} second${wait === 1 ? '' : 's'} and try again.`
          : 'You are sending requests faster than allowed. Please wait a moment and try again.',
        action: 'retry',
      };
    }
    case 'spend_cap_reached':
      return spendCapInWords(error);
    case 'llm_unavailable':
    case 'provider_unavailable':
    case 'upstream_error':
      return {
        title: 'The model provider is not answering',
        detail:
          'The AI model could not be reached just now; nothing you wrote was lost. Try again in a minute.',
        action: 'retry',
      };
    case 'not_found':
      return {
        title: 'Not found',
        detail: 'This does not exist, or it belongs to someone else.',
        action: 'none',
      };
    case 'session_ended':
      return {
        title: 'This session has ended',
        detail: 'An ended session can be read but not continued. Start a new one to chat again.',
        action: 'none',
      };
    case 'turn_in_progress':
      return {
        title: 'A reply is still being written',
        detail: 'Wait for the current reply to finish, then send your message again.',
        action: 'retry',
      };
    case 'stream_interrupted':
    case 'stream_reset':
      return describeError(new StreamInterruptedError());
    case 'invalid_data':
    case 'malformed_json':
      return {
        title: 'Please check what you entered',
        detail:
          error.details.length > 0
            ? error.details
                .map((d) => (d.field ? `${d.field}: ${d.message}` : d.message))
                .join('; ')
            : error.message,
        action: 'none',
      };
    case 'payload_too_large':
      return { title: 'Too large', detail: error.message, action: 'none' };
    case 'conflict':
      return {
        title: 'Changed elsewhere',
        detail: 'This was changed in the meantime. Reload the page and try again.',
        action: 'retry',
      };
    default:
      return {
        title: error.status >= 500 ? 'Something went wrong on our side' : 'That did not work',
        detail: error.message,
        action: error.status >= 500 ? 'retry' : 'none',
      };
  }
}
