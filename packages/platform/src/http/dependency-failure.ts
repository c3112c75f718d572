/**
 * The one mapping of dependency failures to answers (decision 0019): PostgreSQL, Redis, Temporal,
 * Kafka, object storage (S3) or the model provider unreachable or not answering in time is 503
 * `unavailable` with `Retry-After`, naming the dependency when the error tells which it is; never
 * a 500. The error filter applies it to whatever a handler throws, so every service answers the
 * same way without catching anything; a route that knows better (a turn that may still be
 * running: 504 `turn_pending`) throws its own ApiException first.
 */
import { HttpStatus } from '@nestjs/common';
import { ApiException } from './api-error';

export type Dependency = 'database' | 'redis' | 'temporal' | 'kafka' | 'object-storage' | 'llm';

/** Seconds a client should wait before repeating a request refused for an outage. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

const DEPENDENCY_NAMES: Record<Dependency, string> = {
  database: 'The database',
  redis: 'Redis',
  temporal: 'The workflow engine (Temporal)',
  kafka: 'The event broker (Kafka)',
  'object-storage': 'File storage',
  llm: 'The model provider',
};

/** Socket-level failures: the peer refused, went away, or never answered. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** gRPC status codes of a server that cannot be reached or did not answer in time. */
const GRPC_UNREACHABLE = new Set([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

/** What a dependency failure is: which dependency (when known). */
export interface DependencyFailure {
  dependency: Dependency | null;
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
  errors?: unknown;
  driverError?: unknown;
  $metadata?: unknown;
}

const isErrorLike = (value: unknown): value is ErrorLike =>
  typeof value === 'object' && value !== null;

/** The error, its causes, the driver error it wraps and an AggregateError's members. */
function* chain(error: unknown, depth = 0): Generator<ErrorLike> {
  if (!isErrorLike(error) || depth > 8) return;
  yield error;
  yield* chain(error.driverError, depth + 1);
  yield* chain(error.cause, depth + 1);
  if (Array.isArray(error.errors))
    for (const member of error.errors) yield* chain(member, depth + 1);
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** The dependency one link of the chain names, or null for a bare network failure. */
function classifyOne(error: ErrorLike): DependencyFailure | undefined {
  // Some libraries name their errors only by class (the openai SDK's are all `Error`).
  const name = text(error.name) === 'Error' ? text(error.constructor?.name) : text(error.name);
  const message = text(error.message);
  const code = error.code;
  // Temporal: the client's ServiceError over a gRPC status, the native connection's errors.
  if (
    name === 'TransportError' ||
    name === 'WorkflowUpdateRPCTimeoutOrCancelledError' ||
    message === 'Failed to connect before the deadline'
  )
    return { dependency: 'temporal' };
  if (name === 'ServiceError' && /connect|unavailable|deadline/i.test(message))
    return { dependency: 'temporal' };
  if (typeof code === 'number' && GRPC_UNREACHABLE.has(code) && 'metadata' in error)
    return { dependency: 'temporal' };
  // PostgreSQL: a connection exception (class 08), the server shutting down or refusing
  // connections (57P01-57P03), too many connections; node-postgres' own connection errors.
  if (typeof code === 'string' && /^(08...|57P0[1-3]|53300)$/.test(code))
    return { dependency: 'database' };
  if (
    /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/.test(
      message,
    )
  )
    return { dependency: 'database' };
  // Redis (ioredis): retries per request used up, or the connection closed.
  if (
    name === 'MaxRetriesPerRequestError' ||
    message === 'Connection is closed.' ||
    message.startsWith("Stream isn't writeable")
  )
    return { dependency: 'redis' };
  // Kafka (KafkaJS): every error class of it is named KafkaJS…
  if (name.startsWith('KafkaJS')) return { dependency: 'kafka' };
  // S3 (AWS SDK): its errors carry `$metadata`; a network failure or a 5xx of the store.
  if (name === 'StorageUnavailable') return { dependency: 'object-storage' };
  if (isErrorLike(error.$metadata)) {
    const status = (error.$metadata as { httpStatusCode?: unknown }).httpStatusCode;
    if (
      name === 'TimeoutError' ||
      (typeof code === 'string' && NETWORK_CODES.has(code)) ||
      (typeof status === 'number' && status >= 500) ||
      status === undefined
    )
      return { dependency: 'object-storage' };
  }
  // The model provider (the openai SDK).
  if (name === 'APIConnectionError' || name === 'APIConnectionTimeoutError')
    return { dependency: 'llm' };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return { dependency: null };
  return undefined;
}

/**
 * Whether the error is a dependency that could not be reached or did not answer, and which one:
 * the most specific link of its cause chain wins (a Temporal ServiceError over ECONNREFUSED is
 * Temporal's). Undefined for everything else (a bug stays a 500).
 */
export function dependencyFailure(error: unknown): DependencyFailure | undefined {
  let found: DependencyFailure | undefined;
  for (const link of chain(error)) {
    const failure = classifyOne(link);
    if (failure?.dependency) return failure;
    found ??= failure;
  }
  return found;
}

/** 503 `unavailable` for a dependency, with Retry-After; the dependency named in `details`. */
export function dependencyUnavailable(dependency: Dependency | null): ApiException {
  const what = dependency ? DEPENDENCY_NAMES[dependency] : 'A service this request needs';
  return new ApiException(
    HttpStatus.SERVICE_UNAVAILABLE,
    'unavailable',
    `${what} is unavailable; try again shortly`,
    dependency ? [{ field: 'dependency', message: dependency }] : undefined,
    { retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS },
  );
}
