/**
 * The outbox writes of this service. Always called with the transaction's EntityManager, so an
 * event exists exactly when the change it reports was committed. The relay comes with the events
 * issue and reads unpublished rows in `seq` order.
 */
import type { EntityManager } from 'typeorm';
import { OutboxEventEntity } from './outbox-event.entity';

export type AssistantEventType =
  'assistant.created' | 'assistant.version_activated' | 'assistant.deactivated';

export async function recordEvent(
  manager: EntityManager,
  type: AssistantEventType,
  assistantId: string,
  payload: Record<string, unknown>,
): Promise<void> {
  await manager.insert(OutboxEventEntity, {
    aggregateType: 'assistant',
    aggregateId: assistantId,
    type,
    payload: { assistantId, ...payload },
  });
}
