// Kept apart from relay.provider.ts, which defines metrics: a readiness check is not a metric.
import type { ReadinessCheck } from '../http/health.controller';
import type { OutboxRelayLifecycle } from './relay.provider';

/**
 * Kafka's readiness as the relay sees it: down while its last attempt to publish failed. Not
 * required: turns go on while events wait in the outbox.
 */
export function outboxReadiness(lifecycle: OutboxRelayLifecycle): ReadinessCheck[] {
  const { relay } = lifecycle;
  if (!relay) return [];
  return [
    {
      name: 'kafka',
      required: false,
      check: () =>
        relay.brokerReachable
          ? Promise.resolve()
          : Promise.reject(new Error('the outbox relay cannot reach the broker')),
    },
  ];
}
