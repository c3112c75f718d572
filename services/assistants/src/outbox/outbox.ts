/** The events of this service, written to the shared outbox in the change's transaction. */
import { recordEvent as record } from '@lab/platform/outbox';
import type { EntityManager } from 'typeorm';

export type AssistantEventType =
  'assistant.created' | 'assistant.version_activated' | 'assistant.deactivated';

export function recordEvent(
  manager: EntityManager,
  type: AssistantEventType,
  assistantId: string,
  payload: Record<string, unknown>,
): Promise<void> {
  return record(manager, {
    aggregateType: 'assistant',
    aggregateId: assistantId,
    type,
    payload: { assistantId, ...payload },
  });
}
