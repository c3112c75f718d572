/**
 * Sessions: start (pins the assistant's active version and has the assistant open the
 * conversation), send a message (one turn at a time), end (recap), list and resume. Each turn
 * runs as a Temporal workflow; this service only claims the session for it and waits.
 */
import { createHash, randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import type { EndSessionResult, TurnResult } from '@lab/contracts';
import { DecryptionError } from '@lab/platform';
import { recordEvent } from '@lab/platform/outbox';
import { ApiException, badRequest, notFound } from '@lab/platform/http';
import { AssistantsClient } from '../assistants/assistants.client';
import type { TurnKeys } from '../turns/turn-keys';
import { TurnRunner } from '../turns/turn-runner';
import type { MessageEntity } from './entities/message.entity';
import type { SessionEntity } from './entities/session.entity';
import { SessionCipher } from './session-cipher';
import { type ResumedSession, type SessionView, sessionView } from './session.views';
import { SessionsRepository } from './sessions.repository';

export const OPENING_TURN = 'opening';
const TURN_ID = /^[A-Za-z0-9_.:-]{1,100}$/;

export interface StartedSession {
  session: SessionView;
  message: { role: 'assistant'; content: string };
  guardHit: boolean;
}

/** A session id from the caller's idempotency key, so a repeated start finds the same session. */
function sessionIdFor(userId: string, idempotencyKey: string | undefined): string {
  if (!idempotencyKey) return randomUUID();
  const hex = createHash('sha256').update(`${userId}\0${idempotencyKey}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function turnIdFrom(idempotencyKey: string | undefined): string {
  if (idempotencyKey === undefined) return randomUUID();
  if (!TURN_ID.test(idempotencyKey)) {
    throw badRequest('The Idempotency-Key is not valid', [
      { field: 'Idempotency-Key', message: '1 to 100 characters of letters, digits and _ . : -' },
    ]);
  }
  return idempotencyKey;
}

@Injectable()
export class SessionsService {
  constructor(
    private readonly repository: SessionsRepository,
    private readonly assistants: AssistantsClient,
    private readonly turns: TurnRunner,
  ) {}

  async start(
    userId: string,
    keys: Required<Pick<TurnKeys, 'dataKey'>> & TurnKeys,
    assistantId: string,
    idempotencyKey?: string,
  ): Promise<StartedSession> {
    if (idempotencyKey !== undefined) turnIdFrom(idempotencyKey);
    const id = sessionIdFor(userId, idempotencyKey);
    const existing = await this.repository.findById(id);
    if (existing && existing.userId !== userId) throw notFound('session');
    if (!existing) {
      const snapshot = await this.assistants.snapshot(assistantId);
      if (!snapshot.active) {
        throw new ApiException(
          HttpStatus.CONFLICT,
          'assistant_inactive',
          'The assistant is no longer available',
        );
      }
      const cipher = new SessionCipher(keys.dataKey, id);
      await this.repository.transaction(async (manager) => {
        const inserted = await this.repository.insertSession(manager, {
          id,
          userId,
          assistantId,
          promptVersionId: snapshot.promptVersion.id,
          modelConfigVersionId: snapshot.modelConfigVersion.id,
          payload: cipher.thread({ summary: null, messages: [] }),
          turnInProgress: OPENING_TURN,
          turnStartedAt: new Date(),
        });
        if (!inserted) return;
        await recordEvent(manager, {
          aggregateType: 'session',
          aggregateId: id,
          type: 'session.started',
          payload: {
            sessionId: id,
            userId,
            assistantId,
            promptVersionId: snapshot.promptVersion.id,
            modelConfigVersionId: snapshot.modelConfigVersion.id,
          },
        });
      });
    }
    const result = await this.turns.chatTurn(
      { sessionId: id, turnId: OPENING_TURN, userMessage: null },
      keys,
    );
    const session = await this.repository.findById(id);
    if (!session) throw notFound('session');
    return {
      session: sessionView(session),
      message: { role: 'assistant', content: result.reply },
      guardHit: result.guardHit,
    };
  }

  /**
   * Claims the session for this turn (409 while another runs), then runs it. A repeated request
   * (same Idempotency-Key) gets the first result, whether the turn is running or done.
   */
  async prepareTurn(
    userId: string,
    sessionId: string,
    idempotencyKey?: string,
  ): Promise<{ turnId: string; replay: boolean }> {
    const turnId = turnIdFrom(idempotencyKey);
    const session = await this.owned(userId, sessionId);
    if (await this.repository.findTurn(sessionId, turnId)) return { turnId, replay: true };
    if (session.status === 'ended')
      throw new ApiException(HttpStatus.CONFLICT, 'session_ended', 'The session has ended');
    if (!(await this.repository.claimTurn(sessionId, turnId))) {
      throw new ApiException(
        HttpStatus.CONFLICT,
        'turn_in_progress',
        'The session is already answering a message; wait for it',
      );
    }
    return { turnId, replay: false };
  }

  send(
    sessionId: string,
    turnId: string,
    content: string,
    keys: TurnKeys,
    streamChannel?: string,
  ): Promise<TurnResult> {
    return this.turns.chatTurn(
      { sessionId, turnId, userMessage: content, ...(streamChannel ? { streamChannel } : {}) },
      keys,
    );
  }

  async end(
    userId: string,
    keys: TurnKeys,
    sessionId: string,
  ): Promise<EndSessionResult & { session: SessionView }> {
    const session = await this.owned(userId, sessionId);
    if (session.status === 'active' && session.turnInProgress) {
      throw new ApiException(
        HttpStatus.CONFLICT,
        'turn_in_progress',
        'The session is answering a message; end it afterwards',
      );
    }
    const result = await this.turns.endSession(sessionId, `end-${sessionId}`, keys);
    const ended = await this.owned(userId, sessionId);
    return { ...result, session: sessionView(ended) };
  }

  async list(
    userId: string,
    assistantId: string | undefined,
    cursor: string | undefined,
    limit = 20,
  ) {
    const afterSeq = cursor ? decodeCursor(cursor) : null;
    const rows = await this.repository.listForUser(userId, assistantId, afterSeq, limit);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(sessionView),
      nextCursor:
        rows.length > limit && last
          ? Buffer.from(JSON.stringify({ seq: last.seq })).toString('base64url')
          : null,
    };
  }

  async resume(userId: string, dataKey: Buffer, sessionId: string): Promise<ResumedSession> {
    const session = await this.owned(userId, sessionId);
    const cipher = new SessionCipher(dataKey, sessionId);
    const messages = await this.repository.messages(sessionId);
    try {
      return this.opened(session, cipher, messages);
    } catch (error) {
      if (error instanceof DecryptionError) {
        throw new ApiException(
          HttpStatus.FORBIDDEN,
          'key_mismatch',
          'The key material does not open this session',
        );
      }
      throw error;
    }
  }

  private opened(
    session: SessionEntity,
    cipher: SessionCipher,
    messages: MessageEntity[],
  ): ResumedSession {
    return {
      session: sessionView(session),
      messages: messages.map((m) => ({
        position: m.position,
        role: m.role,
        content: cipher.readMessage(m.content),
        createdAt: m.createdAt.toISOString(),
      })),
      payload: cipher.readThread(session.payload),
      recap: session.recap ? cipher.readRecap(session.recap) : null,
    };
  }

  /** Another user's session is as unknown as a missing one. */
  private async owned(userId: string, sessionId: string) {
    const session = await this.repository.findById(sessionId);
    if (!session || session.userId !== userId) throw notFound('session');
    return session;
  }
}

function decodeCursor(cursor: string): string {
  try {
    const { seq } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      seq?: unknown;
    };
    if (typeof seq === 'string' && /^\d{1,19}$/.test(seq)) return seq;
  } catch {
    // fall through
  }
  throw badRequest('The cursor is not valid', [
    { field: 'cursor', message: 'use nextCursor from a previous page' },
  ]);
}
