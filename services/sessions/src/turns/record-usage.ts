/**
 * The `recordUsage` activity: the usage of a turn that stores nothing (a lab turn, an
 * OpenAI-compatible completion) as a `usage.recorded` event in this service's outbox — ids,
 * model, usage and guard hit, never text. The event's id derives from the workflow id, and the
 * insert ignores an id already there, so a retried activity (or a repeated request joining the
 * same workflow) records it once; the gateway's usage rollup counts it once per event id.
 */
import type { RecordUsageInput } from '@lab/contracts';
import { deterministicEventId, recordEvent } from '@lab/platform/outbox';
import type { SessionsRepository } from '../sessions/sessions.repository';

export async function recordUsage(
  repository: SessionsRepository,
  input: RecordUsageInput,
): Promise<void> {
  await repository.transaction(async (manager) => {
    await recordEvent(manager, {
      id: deterministicEventId(`usage.recorded:${input.eventKey}`),
      aggregateType: 'user',
      aggregateId: input.userId,
      type: 'usage.recorded',
      payload: {
        source: input.source,
        turnId: input.turnId,
        userId: input.userId,
        assistantId: input.assistantId,
        model: input.model,
        usage: input.usage,
        guardHit: input.guardHit,
        callerKeyId: input.callerKeyId ?? null,
      },
    });
  });
}
