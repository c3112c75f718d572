/**
 * The activity proxies of the session and exchange workflows, with their timeouts and retry
 * policies where they are used.
 * - Model-facing activities run on the llm-worker's queue (named in the workflow input, so test
 *   suites isolate theirs) and are retried on 429 (after the provider's Retry-After, which the
 *   activity passes as the next retry delay), 5xx and timeouts; a rejected request (4xx) or a
 *   rejected or vanished key fails at once. A retried call whose model answer had arrived reuses
 *   it (the activity keeps it, sealed, for the turn), so a crash never bills a call twice.
 * - Persistence runs as local activities of the sessions worker, next to the workflow: its own
 *   database, where a round trip through the server buys nothing.
 */
import {
  type LlmActivities,
  type SessionActivities,
  type SessionLocalActivities,
  TURN_ERRORS,
} from '@lab/contracts';
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

export function llm(taskQueue: string) {
  return proxyActivities<LlmActivities>({
    taskQueue,
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
}

/** The sessions worker's database work, as local activities (patient with PostgreSQL). */
export const store = proxyLocalActivities<SessionLocalActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 20,
    nonRetryableErrorTypes: [TURN_ERRORS.sessionClosed, TURN_ERRORS.keyUnavailable],
  },
});

/** The idle sweep's activities, on the sessions worker's queue (the workflow's own). */
export const sweep = proxyActivities<
  Pick<SessionActivities, 'listIdleSessions' | 'endIdleSession'>
>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 20,
  },
});

/**
 * Archiving, patient with object storage: an outage is retried (at most a minute apart) until
 * storage is back, for up to a week; a session that cannot be archived (unknown, still active)
 * fails at once.
 */
export const archives = proxyActivities<Pick<SessionActivities, 'archiveSession'>>({
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '7 days',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: [TURN_ERRORS.sessionClosed, TURN_ERRORS.archiveRefused],
  },
});
