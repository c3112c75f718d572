/**
 * Counts sessions started and ended per assistant and per prompt version, from the sessions
 * service's `session.started` / `session.ended` events. Runs inside the consumer's transaction
 * that claimed the event, so each event counts once (decision 0009).
 */
import { Injectable } from '@nestjs/common';
import type { CloudEvent, EventHandler } from '@lab/platform/outbox';
import type { EntityManager } from 'typeorm';
import { AssistantEntity } from '../assistants/entities/assistant.entity';
import { PromptVersionEntity } from '../assistants/entities/prompt-version.entity';

const COLUMNS = {
  'lab.session.started': 'sessionsStarted',
  'lab.session.ended': 'sessionsEnded',
} as const;

@Injectable()
export class SessionCountersHandler implements EventHandler {
  readonly consumer = 'assistants.session-counters';
  readonly types = Object.keys(COLUMNS);

  async handle(manager: EntityManager, event: CloudEvent): Promise<void> {
    const column = COLUMNS[event.type as keyof typeof COLUMNS];
    const { assistantId, promptVersionId } = event.data as {
      assistantId?: string;
      promptVersionId?: string;
    };
    if (assistantId) await manager.increment(AssistantEntity, { id: assistantId }, column, 1);
    if (promptVersionId)
      await manager.increment(PromptVersionEntity, { id: promptVersionId }, column, 1);
  }
}
