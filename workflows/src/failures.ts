/**
 * How a failed turn reaches the client: as an ApplicationFailure of the root cause's type (the
 * sessions service maps types to answers), non-retryable (the client decides whether to try
 * again), carrying the request's fingerprint so a repeat with another body is told apart.
 */
import { ApplicationFailure, TemporalFailure } from '@temporalio/workflow';

/** The type of the first ApplicationFailure in the error's cause chain. */
export function failureType(error: unknown): string | undefined {
  let cause: unknown = error;
  while (cause instanceof Error) {
    if (cause instanceof ApplicationFailure) return cause.type ?? undefined;
    cause = cause.cause;
  }
  return undefined;
}

export function turnFailure(error: unknown, requestHash: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: failureType(error) ?? 'TurnFailed',
    message: error instanceof Error ? error.message : String(error),
    nonRetryable: true,
    details: [{ requestHash }],
    ...(error instanceof TemporalFailure ? { cause: error } : {}),
  });
}
