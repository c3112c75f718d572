/**
 * Counts, per user, sessions started and ended and assistants created, from the sessions and
 * assistants services' events; inside the consumer's transaction that claimed the event, so each
 * counts once (decision 0009).
 */
import { Injectable } from '@nestjs/common';
import type { CloudEvent, EventHandler } from '@lab/platform/outbox';
import type { EntityManager } from 'typeorm';
import { UserEntity } from '../identity/entities/user.entity';

@Injectable()
export class UserCountersHandler implements EventHandler {
  readonly consumer = 'gateway.user-counters';
  readonly types = ['lab.session.started', 'lab.session.ended', 'lab.assistant.created'];

  async handle(manager: EntityManager, event: CloudEvent): Promise<void> {
    const data = event.data as { userId?: string; creatorId?: string };
    const [userId, column] =
      event.type === 'lab.assistant.created'
        ? [data.creatorId, 'assistantsCreated' as const]
        : [data.userId, event.type === 'lab.session.started' ? 'sessionsStarted' : 'sessionsEnded'];
    if (userId) await manager.increment(UserEntity, { id: userId }, column, 1);
  }
}
