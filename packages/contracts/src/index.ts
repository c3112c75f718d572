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

/** The Kafka topic every producing service's outbox relay publishes to (DESIGN.md §5). */
export const EVENTS_TOPIC = 'chat.events';
