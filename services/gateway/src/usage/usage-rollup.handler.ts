/**
 * Rolls `turn.completed` (one turn), `usage.recorded` (one lab turn or OpenAI-compatible
 * completion; a draft in the lab has no assistant: the nil UUID) and `session.ended` (the recap's
 * tokens) up into usage per day, user, assistant, model and API key, with the cost from the model
 * registry's prices. In the consumer's transaction that claimed the event, so each counts once
 * (decision 0009).
 */
import { Injectable, Logger } from '@nestjs/common';
import { costOf, findModel } from '@lab/conversation';
import type { CloudEvent, EventHandler } from '@lab/platform/outbox';
import type { EntityManager } from 'typeorm';
import { NO_ASSISTANT, UsageRepository } from './usage.repository';

interface UsageEventData {
  userId?: string;
  assistantId?: string | null;
  model?: string;
  usage?: { promptTokens?: number; completionTokens?: number };
  guardHit?: boolean;
  callerKeyId?: string | null;
}

@Injectable()
export class UsageRollupHandler implements EventHandler {
  readonly consumer = 'gateway.usage-rollup';
  readonly types = ['lab.turn.completed', 'lab.usage.recorded', 'lab.session.ended'];
  private readonly logger = new Logger(UsageRollupHandler.name);

  constructor(private readonly usage: UsageRepository) {}

  async handle(manager: EntityManager, event: CloudEvent): Promise<void> {
    const data = event.data as UsageEventData;
    if (!data.userId) return;
    const assistantId =
      data.assistantId ?? (event.type === 'lab.usage.recorded' ? NO_ASSISTANT : undefined);
    if (!assistantId) return;
    const model = data.model ?? 'unknown';
    const promptTokens = Math.trunc(data.usage?.promptTokens ?? 0);
    const completionTokens = Math.trunc(data.usage?.completionTokens ?? 0);
    const spec = findModel(model);
    if (!spec) this.logger.warn(`usage of a model without a price (${model}): cost 0`);
    const turn = event.type !== 'lab.session.ended';
    await this.usage.add(manager, {
      day: event.time.slice(0, 10),
      userId: data.userId,
      assistantId,
      model,
      apiKeyId: data.callerKeyId ?? null,
      turns: turn ? 1 : 0,
      promptTokens,
      completionTokens,
      costUsd: spec ? costOf(spec, { promptTokens, completionTokens }) : 0,
      guardHits: turn && data.guardHit ? 1 : 0,
    });
  }
}
