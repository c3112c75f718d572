/**
 * Workflow ids. A session has one workflow for its life (Continue-As-New keeps the id); a
 * stateless exchange's id derives from its user and the client's idempotency key, so the same
 * request twice reaches the same execution.
 */
export const sessionWorkflowId = (sessionId: string) => `session:${sessionId}`;
export const labWorkflowId = (userId: string, idempotencyKey: string) =>
  `lab:${userId}:${idempotencyKey}`;
/** A stateless completion (POST /completions) runs the same exchange under an id of its own. */
export const completionWorkflowId = (userId: string, idempotencyKey: string) =>
  `completion:${userId}:${idempotencyKey}`;
/** One archive workflow per session: the end of a session and the idle sweep start the same. */
export const archiveSessionWorkflowId = (sessionId: string) => `archive:${sessionId}`;
/** The idle sweep's schedule (one per sessions queue, so test suites do not share one). */
export const archiveIdleScheduleId = (sessionsTaskQueue: string) =>
  sessionsTaskQueue === 'sessions'
    ? 'archive-idle-sessions'
    : `archive-idle-sessions:${sessionsTaskQueue}`;
