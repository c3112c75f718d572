/**
 * The persistence activities of the chat-turn workflows, run by this service's worker on the
 * `sessions` queue. `persistTurn` writes both messages, the new thread, the counts and the
 * `turn.completed` event in one transaction, and is idempotent (a retried activity whose first
 * commit succeeded changes nothing). Text is encrypted with the user's data key, which the
 * request that started the turn left in the turn vault.
 */
import { Injectable } from '@nestjs/common';
import {
  type EndContext,
  type PersistEndInput,
  type PersistTurnInput,
  type SessionActivities,
  TURN_ERRORS,
  type TurnContext,
} from '@lab/contracts';
import { recordEvent } from '@lab/platform/outbox';
import { TurnVault } from '@lab/platform';
import { ApplicationFailure } from '@temporalio/common';
import { ArchivesService } from '../archives/archives.service';
import { AssistantsClient, turnAssistant } from '../assistants/assistants.client';
import { AttachmentsService } from '../attachments/attachments.service';
import { SessionCipher } from '../sessions/session-cipher';
import { SessionsRepository } from '../sessions/sessions.repository';
import { recordPersistedTurn } from '../metrics/turn-metrics';
import { recordUsage } from './record-usage';
import { sessionDataKey } from './turn-keys';

const closed = (message: string) =>
  ApplicationFailure.create({ type: TURN_ERRORS.sessionClosed, message, nonRetryable: true });

@Injectable()
export class TurnActivities {
  constructor(
    private readonly repository: SessionsRepository,
    private readonly assistants: AssistantsClient,
    private readonly vault: TurnVault,
    private readonly archives: ArchivesService,
    private readonly attachments: AttachmentsService,
  ) {}

  /** The activity functions, bound, for the worker. */
  functions(): SessionActivities {
    return {
      loadTurnContext: (input) => this.loadTurnContext(input),
      loadEndContext: (input) => this.loadEndContext(input),
      persistTurn: (input) => this.persistTurn(input),
      releaseTurn: (input) => this.releaseTurn(input),
      persistSessionEnd: (input) => this.persistSessionEnd(input),
      archiveSession: ({ sessionId }) => this.archives.archive(sessionId),
      listIdleSessions: ({ idleMinutes, limit }) => this.archives.idleSessions(idleMinutes, limit),
      endIdleSession: ({ sessionId, idleMinutes }) => this.archives.endIdle(sessionId, idleMinutes),
      recordUsage: (input) => recordUsage(this.repository, input),
    };
  }

  async loadTurnContext({
    sessionId,
    turnId,
  }: {
    sessionId: string;
    turnId: string;
  }): Promise<TurnContext> {
    const { session, cipher, assistant, thread } = await this.open(sessionId, turnId);
    const done = await this.repository.findTurn(sessionId, turnId);
    if (done) {
      return {
        assistant,
        thread,
        alreadyPersisted: {
          turnId,
          reply: cipher.readMessage(done.reply),
          guardHit: done.guardHit,
          usage: { promptTokens: done.promptTokens, completionTokens: done.completionTokens },
          model: done.model,
          condensed: done.condensed,
        },
      };
    }
    if (session.status !== 'active') throw closed('the session has ended');
    const attachments = await this.attachments.contextFor(
      sessionId,
      await sessionDataKey(this.vault, sessionId, turnId),
      assistant.model,
    );
    return { assistant, thread, alreadyPersisted: null, attachments };
  }

  async persistTurn(input: PersistTurnInput): Promise<void> {
    const stored = await this.repository.transaction(async (manager) => {
      const session = await this.repository.lockById(manager, input.sessionId);
      if (!session) throw closed('the session does not exist');
      if (await this.repository.findTurn(input.sessionId, input.turnId, manager)) return false;
      const cipher = new SessionCipher(
        await sessionDataKey(this.vault, input.sessionId, input.turnId),
        input.sessionId,
      );
      const messages = [
        ...(input.userMessage === null ? [] : [{ role: 'user' as const, text: input.userMessage }]),
        { role: 'assistant' as const, text: input.reply },
      ].map((m, i) => ({
        sessionId: input.sessionId,
        position: session.messageCount + i,
        role: m.role,
        content: cipher.message(m.text),
        turnId: input.turnId,
      }));
      await this.repository.insertMessages(manager, messages);
      if (input.files?.length) {
        await this.attachments.storeReturned(
          manager,
          session,
          await sessionDataKey(this.vault, input.sessionId, input.turnId),
          input.turnId,
          input.files,
        );
      }
      await this.repository.insertTurn(manager, {
        sessionId: input.sessionId,
        turnId: input.turnId,
        reply: cipher.message(input.reply),
        guardHit: input.guardHit,
        promptTokens: input.usage.promptTokens,
        completionTokens: input.usage.completionTokens,
        model: input.model,
        condensed: input.condensed,
        latencyMs: input.latencyMs,
      });
      await this.repository.updateSession(manager, input.sessionId, {
        payload: cipher.thread(input.thread),
        messageCount: () => `message_count + ${messages.length}`,
        turnCount: () => 'turn_count + 1',
        promptTokens: () => `prompt_tokens + ${Math.trunc(input.usage.promptTokens)}`,
        completionTokens: () => `completion_tokens + ${Math.trunc(input.usage.completionTokens)}`,
        guardHits: () => `guard_hits + ${input.guardHit ? 1 : 0}`,
        turnInProgress: null,
        turnStartedAt: null,
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

  async releaseTurn({ sessionId, turnId }: { sessionId: string; turnId: string }): Promise<void> {
    await this.repository.releaseTurn(sessionId, turnId);
  }

  async loadEndContext({
    sessionId,
    requestId,
  }: {
    sessionId: string;
    requestId: string;
  }): Promise<EndContext> {
    const { session, cipher, assistant, thread } = await this.open(sessionId, requestId);
    if (session.status === 'ended' && session.recap) {
      return {
        assistant,
        thread,
        alreadyEnded: {
          sessionId,
          recap: cipher.readRecap(session.recap),
          usage: { promptTokens: 0, completionTokens: 0 },
        },
      };
    }
    return { assistant, thread, alreadyEnded: null };
  }

  async persistSessionEnd(input: PersistEndInput): Promise<void> {
    await this.repository.transaction(async (manager) => {
      const session = await this.repository.lockById(manager, input.sessionId);
      if (!session) throw closed('the session does not exist');
      if (session.status === 'ended') return;
      const cipher = new SessionCipher(
        await sessionDataKey(this.vault, input.sessionId, input.requestId),
        input.sessionId,
      );
      await this.repository.updateSession(manager, input.sessionId, {
        status: 'ended',
        endedReason: 'user',
        recap: cipher.recap(input.recap),
        endedAt: () => 'now()',
        promptTokens: () => `prompt_tokens + ${Math.trunc(input.usage.promptTokens)}`,
        completionTokens: () => `completion_tokens + ${Math.trunc(input.usage.completionTokens)}`,
        turnInProgress: null,
        turnStartedAt: null,
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

  /** The session, its cipher (the key the request left for this turn), pinned assistant and thread. */
  private async open(sessionId: string, keyRef: string) {
    const session = await this.repository.findById(sessionId);
    if (!session) throw closed('the session does not exist');
    const cipher = new SessionCipher(
      await sessionDataKey(this.vault, sessionId, keyRef),
      sessionId,
    );
    const snapshot = await this.assistants.snapshot(session.assistantId, {
      promptVersionId: session.promptVersionId,
      modelConfigVersionId: session.modelConfigVersionId,
    });
    return {
      session,
      cipher,
      assistant: turnAssistant(snapshot),
      thread: cipher.readThread(session.payload),
    };
  }
}
