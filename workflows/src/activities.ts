/**
 * The activity proxies of the chat-turn workflows, with their timeouts and retry policies
 * where they are used. LLM calls run on the llm-worker's queue and are retried on 429 (after the
 * provider's Retry-After, which the activity passes as the next retry delay), 5xx and timeouts;
 * a rejected request (4xx) or a rejected or vanished user key fails at once. Persistence runs on
 * the sessions service's queue.
 * Guard, condense and request building are local activities: pure CPU work next to the
 * workflow, where a server round trip buys nothing.
 */
import {
  type ConversationActivities,
  type LlmActivities,
  type SessionActivities,
  TASK_QUEUES,
  TURN_ERRORS,
} from '@lab/contracts';
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

// No task queue named: LLM activities run on the workflow's own queue, polled by the llm-worker.
export const llm = proxyActivities<LlmActivities>({
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '10 minutes',
  // The activity heartbeats while it waits and for every streamed chunk: a dead worker is
  // noticed within this bound and the call is retried on another.
  heartbeatTimeout: '15 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 8,
    nonRetryableErrorTypes: [
      TURN_ERRORS.llmRejected,
      TURN_ERRORS.providerKeyRejected,
      TURN_ERRORS.keyUnavailable,
    ],
  },
});

export const conversation = proxyLocalActivities<ConversationActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

/** The sessions service's activities, on the queue its worker polls (named by the caller). */
export function sessions(taskQueue: string = TASK_QUEUES.sessions) {
  return proxyActivities<SessionActivities>({
    taskQueue,
    startToCloseTimeout: '30 seconds',
    retry: {
      initialInterval: '500 milliseconds',
      backoffCoefficient: 2,
      maximumInterval: '10 seconds',
      maximumAttempts: 20,
      nonRetryableErrorTypes: [TURN_ERRORS.sessionClosed, TURN_ERRORS.keyUnavailable],
    },
  });
}

/**
 * Archiving on the sessions service's queue, patient with object storage: an outage is retried
 * (at most a minute apart) until storage is back, for up to a week; a session that cannot be
 * archived (unknown, still active) fails at once.
 */
export function archives(taskQueue: string = TASK_QUEUES.sessions) {
  return proxyActivities<Pick<SessionActivities, 'archiveSession'>>({
    taskQueue,
    startToCloseTimeout: '2 minutes',
    scheduleToCloseTimeout: '7 days',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      nonRetryableErrorTypes: [TURN_ERRORS.sessionClosed, TURN_ERRORS.archiveRefused],
    },
  });
}
