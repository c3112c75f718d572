/**
 * Contracts shared by the services: names and shapes that more than one process must agree on.
 */
export * from './assistants';
export * from './turns';
export * from './rotation';

/** Temporal task queues (DESIGN.md §2). */
export const TASK_QUEUES = {
  /** The model-facing activities (exchange, summarise, recap), polled by services/llm-worker. */
  chatTurns: 'chat-turns',
  /** The session and exchange workflows and their activities, polled by services/sessions. */
  sessions: 'sessions',
} as const;

/**
 * Where the llm-worker remembers a turn's finished model calls in Redis (`<prefix><scope>:<call>`,
 * sealed under the turn's key; the scope is the session id or the exchange's workflow id), so a
 * retried activity does not call the model again. A key rotation deletes the user's.
 */
export const CALL_MEMO_PREFIX = 'model-call:';

/**
 * What an `Idempotency-Key` may be (it names a turn or a session's start): 1 to 100 letters,
 * digits and `_ . : -`. The gateway refuses any other value, an empty one included.
 */
export const IDEMPOTENCY_KEY_PATTERN = '^[A-Za-z0-9_.:-]{1,100}$';

/** The Kafka topic every producing service's outbox relay publishes to (DESIGN.md §5). */
export const EVENTS_TOPIC = 'chat.events';
