/**
 * Workflow ids. A turn's id derives from its session and the client's idempotency key, so the
 * same request twice reaches the same execution.
 */
export const chatTurnWorkflowId = (sessionId: string, idempotencyKey: string) =>
  `turn:${sessionId}:${idempotencyKey}`;
export const endSessionWorkflowId = (sessionId: string) => `end:${sessionId}`;
export const labTurnWorkflowId = (labId: string, idempotencyKey: string) =>
  `lab:${labId}:${idempotencyKey}`;
/** A stateless completion (POST /completions) runs `labTurn` under an id of its own. */
export const completionWorkflowId = (userId: string, idempotencyKey: string) =>
  `completion:${userId}:${idempotencyKey}`;
/** One archive workflow per session: the end of a session and the idle sweep start the same. */
export const archiveSessionWorkflowId = (sessionId: string) => `archive:${sessionId}`;
/** The idle sweep's schedule (one per sessions queue, so test suites do not share one). */
export const archiveIdleScheduleId = (sessionsTaskQueue: string) =>
  sessionsTaskQueue === 'sessions'
    ? 'archive-idle-sessions'
    : `archive-idle-sessions:${sessionsTaskQueue}`;
