/**
 * The activities this service's worker runs for the session workflows. Local ones, next to the
 * workflow, on this service's database: `persistTurn` writes both messages, the new thread, the
 * counts and the `turn.completed` event in one transaction (and, for a new session's opening
 * turn, the session's row and `session.started` with them; for a stored response, its record), idempotently (a retried activity
 * whose first commit succeeded changes nothing); `persistSessionEnd`, `endIdleSession`,
 * `recordUsage`. Ordinary ones, on the `sessions` queue: archiving and the idle sweep.
 * Everything text-like arrives sealed by the exchange under the user's data key, and is stored
 * as it is: no key is needed here.
 */
import { Injectable } from '@nestjs/common';
import {
  type PersistEndInput,
  type PersistTurnInput,
  type SessionActivities,
  type SessionLocalActivities,
  TURN_ERRORS,
} from '@lab/contracts';
import { recordEvent } from '@lab/platform/outbox';
import { ApplicationFailure } from '@temporalio/common';
import type { EntityManager } from 'typeorm';
import { ArchivesService } from '../archives/archives.service';
import { ResponsesRepository } from '../responses/responses.repository';
import { AttachmentsService } from '../attachments/attachments.service';
import type { SessionEntity } from '../sessions/entities/session.entity';
import { SessionsRepository } from '../sessions/sessions.repository';
import { recordPersistedTurn } from '../metrics/turn-metrics';
import { recordUsage } from './record-usage';

const closed = (message: string) =>
  ApplicationFailure.create({ type: TURN_ERRORS.sessionClosed, message, nonRetryable: true });

@Injectable()
export class TurnActivities {
  constructor(
    private readonly repository: SessionsRepository,
    private readonly archives: ArchivesService,
    private readonly attachments: AttachmentsService,
    private readonly responses: ResponsesRepository,
  ) {}

  /** The activity functions, bound, for the worker (local and ordinary share one registry). */
  functions(): SessionLocalActivities & SessionActivities {
    return {
      persistTurn: (input) => this.persistTurn(input),
      persistSessionEnd: (input) => this.persistSessionEnd(input),
      endIdleSession: ({ sessionId, idleMinutes }) => this.archives.endIdle(sessionId, idleMinutes),
      recordUsage: (input) => recordUsage(this.repository, input),
      archiveSession: ({ sessionId }) => this.archives.archive(sessionId),
      listIdleSessions: ({ idleMinutes, limit }) => this.archives.idleSessions(idleMinutes, limit),
    };
  }

  async persistTurn(input: PersistTurnInput): Promise<void> {
    const stored = await this.repository.transaction(async (manager) => {
      const session = await this.sessionFor(manager, input);
      if (await this.repository.findTurn(input.sessionId, input.turnId, manager)) return false;
      if (session.status !== 'active') throw closed('the session has ended');
      const messages = [
        ...(input.userMessage === null
          ? []
          : [{ role: 'user' as const, content: input.userMessage }]),
        { role: 'assistant' as const, content: input.reply },
      ].map((m, i) => ({
        sessionId: input.sessionId,
        position: session.messageCount + i,
        role: m.role,
        content: m.content,
        turnId: input.turnId,
      }));
      await this.repository.insertMessages(manager, messages);
      if (input.files?.length) {
        await this.attachments.storeReturned(manager, session, input.turnId, input.files);
      }
      await this.repository.insertTurn(manager, {
        sessionId: input.sessionId,
        turnId: input.turnId,
        requestHash: input.requestHash,
        reply: input.reply,
        guardHit: input.guardHit,
        promptTokens: input.usage.promptTokens,
        completionTokens: input.usage.completionTokens,
        model: input.model,
        condensed: input.condensed,
        latencyMs: input.latencyMs,
      });
      if (input.response) {
        await this.responses.insert(manager, {
          id: input.response.id,
          sessionId: input.sessionId,
          turnId: input.turnId,
          userId: session.userId,
          envelope: input.response.envelope,
          finishReason: input.response.finishReason ?? null,
        });
      }
      await this.repository.updateSession(manager, input.sessionId, {
        payload: input.thread,
        messageCount: () => `message_count + ${messages.length}`,
        turnCount: () => 'turn_count + 1',
        promptTokens: () => `prompt_tokens + ${Math.trunc(input.usage.promptTokens)}`,
        completionTokens: () => `completion_tokens + ${Math.trunc(input.usage.completionTokens)}`,
        guardHits: () => `guard_hits + ${input.guardHit ? 1 : 0}`,
        modifiedAt: () => 'now()',
      });
      await recordEvent(manager, {
        aggregateType: 'session',
        aggregateId: input.sessionId,
        type: 'turn.completed',
        payload: {
          sessionId: input.sessionId,
          turnId: input.turnId,
          userId: session.userId,
          assistantId: session.assistantId,
          promptVersionId: session.promptVersionId,
          model: input.model,
          usage: input.usage,
          guardHit: input.guardHit,
          latencyMs: input.latencyMs,
          condensed: input.condensed,
          opening: input.userMessage === null,
          callerKeyId: input.callerKeyId ?? null,
        },
      });
      return true;
    });
    if (stored) recordPersistedTurn(input.usage, input.guardHit);
  }

  /**
   * The session's row, locked for the turn; for a new session's opening turn, created first
   * (with `session.started`) unless an earlier attempt did.
   */
  private async sessionFor(
    manager: EntityManager,
    input: PersistTurnInput,
  ): Promise<SessionEntity> {
    if (input.create) {
      // The key id is the row's, not the event's.
      const { userId, assistantId, promptVersionId, modelConfigVersionId } = input.create;
      const started = { userId, assistantId, promptVersionId, modelConfigVersionId };
      const inserted = await this.repository.insertSession(manager, {
        id: input.sessionId,
        ...input.create,
        payload: input.thread,
      });
      if (inserted) {
        await recordEvent(manager, {
          aggregateType: 'session',
          aggregateId: input.sessionId,
          type: 'session.started',
          payload: { sessionId: input.sessionId, ...started },
        });
      }
    }
    const session = await this.repository.lockById(manager, input.sessionId);
    if (!session) throw closed('the session does not exist');
    return session;
  }

  async persistSessionEnd(input: PersistEndInput): Promise<void> {
    await this.repository.transaction(async (manager) => {
      const session = await this.repository.lockById(manager, input.sessionId);
      if (!session) throw closed('the session does not exist');
      if (session.status === 'ended') return;
      await this.repository.updateSession(manager, input.sessionId, {
        status: 'ended',
        endedReason: 'user',
        recap: input.recap,
        endedAt: () => 'now()',
        promptTokens: () => `prompt_tokens + ${Math.trunc(input.usage.promptTokens)}`,
        completionTokens: () => `completion_tokens + ${Math.trunc(input.usage.completionTokens)}`,
        modifiedAt: () => 'now()',
      });
      await recordEvent(manager, {
        aggregateType: 'session',
        aggregateId: input.sessionId,
        type: 'session.ended',
        payload: {
          sessionId: input.sessionId,
          userId: session.userId,
          assistantId: session.assistantId,
          promptVersionId: session.promptVersionId,
          model: input.model,
          reason: 'user',
          usage: input.usage,
          turns: session.turnCount,
          callerKeyId: input.callerKeyId ?? null,
        },
      });
    });
  }
}
