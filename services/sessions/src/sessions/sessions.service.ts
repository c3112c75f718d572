/**
 * Sessions: start (pins the assistant's active version; the assistant opens the conversation),
 * send a message (one turn at a time), end (recap), list and resume. A session's turns run in
 * its session workflow (turns/turn-runner.ts); this service seals what the turn needs under the
 * user's data key, answers repeats of finished turns from its rows, and opens the outcome.
 */
import { createHash, randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import type {
  CompletionOptions,
  Condensed,
  SessionWorkflowInput,
  Thread,
  TurnOutcome,
  TurnRequest,
  Usage,
} from '@lab/contracts';
import { IDEMPOTENCY_KEY_PATTERN } from '@lab/contracts';
import { DecryptionError, dataKeyId, SessionCipher } from '@lab/platform';
import { ApiException, badRequest, notFound } from '@lab/platform/http';
import { AssistantsClient, turnAssistant } from '../assistants/assistants.client';
import { AttachmentsService } from '../attachments/attachments.service';
import type { TurnKeys } from '../turns/turn-keys';
import { type OnAccepted, TurnRunner } from '../turns/turn-runner';
import type { MessageEntity } from './entities/message.entity';
import type { SessionEntity } from './entities/session.entity';
import type { TurnEntity } from './entities/turn.entity';
import { type ResumedSession, type SessionView, sessionView } from './session.views';
import { SessionsRepository } from './sessions.repository';
import { readKeyFor } from './data-key.decorator';

export const OPENING_TURN = 'opening';
const TURN_ID = new RegExp(IDEMPOTENCY_KEY_PATTERN);
const EMPTY_THREAD: Thread = { summary: null, messages: [] };

export interface StartedSession {
  session: SessionView;
  message: { role: 'assistant'; content: string };
  guardHit: boolean;
}

/** A turn as the API answers it. */
export interface TurnAnswer {
  turnId: string;
  reply: string;
  guardHit: boolean;
  usage: Usage;
  model: string;
  condensed: Condensed;
}

/**
 * What a stored response's turn brings besides its text (decision 0022): its options, and the
 * response it records (id and envelope, sealed here under the data key).
 */
export interface TurnExtras {
  options?: CompletionOptions;
  response?: { id: string; envelope: unknown };
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

const keyReused = () =>
  new ApiException(
    HttpStatus.UNPROCESSABLE_ENTITY,
    'idempotency_key_reused',
    'This Idempotency-Key was used for another request; use a new key for a new request',
  );

/** A prepared turn: checked, sealed, ready to run (or answered already from its row). */
export interface PreparedTurn {
  sessionId: string;
  turnId: string;
  /** Set when the turn was done before (a repeated request): its answer. */
  done: TurnAnswer | null;
  run(onAccepted?: OnAccepted): Promise<TurnAnswer>;
}

@Injectable()
export class SessionsService {
  constructor(
    private readonly repository: SessionsRepository,
    private readonly assistants: AssistantsClient,
    private readonly attachments: AttachmentsService,
    private readonly turns: TurnRunner,
  ) {}

  async start(
    userId: string,
    keys: TurnKeys,
    assistantId: string,
    idempotencyKey?: string,
  ): Promise<StartedSession> {
    if (idempotencyKey !== undefined) turnIdFrom(idempotencyKey);
    const id = sessionIdFor(userId, idempotencyKey);
    const cipher = new SessionCipher(keys.dataKey, id);
    const requestHash = cipher.fingerprint({ assistantId });
    const existing = await this.repository.findById(id);
    if (existing) {
      if (existing.userId !== userId) throw notFound('session');
      const opening = await this.repository.findTurn(id, OPENING_TURN);
      if (!opening) throw notFound('session');
      const answer = this.answered(opening, cipher, requestHash);
      return this.startedView(existing, answer);
    }
    const snapshot = await this.assistants.snapshot(assistantId);
    if (!snapshot.active) {
      throw new ApiException(
        HttpStatus.CONFLICT,
        'assistant_inactive',
        'The assistant is no longer available',
      );
    }
    const input = this.turns.sessionInput({
      sessionId: id,
      userId,
      assistantId,
      promptVersionId: snapshot.promptVersion.id,
      modelConfigVersionId: snapshot.modelConfigVersion.id,
      dataKeyId: dataKeyId(keys.dataKey),
      assistant: cipher.sealJson('assistant', turnAssistant(snapshot)),
      thread: cipher.thread(EMPTY_THREAD),
      stored: false,
    });
    const outcome = await this.turns.startSession(
      input,
      { turnId: OPENING_TURN, requestHash, userMessage: null },
      keys,
    );
    const session = await this.repository.findById(id);
    if (!session) throw notFound('session');
    return this.startedView(session, this.opened(outcome, cipher));
  }

  /**
   * Checks a turn before anything is answered (or streamed): the session is the caller's and
   * active, and a repeated request of a finished turn is answered from its row. The turn's
   * request is sealed here, under the data key that came with it.
   */
  async prepareTurn(
    userId: string,
    sessionId: string,
    content: string,
    keys: TurnKeys,
    idempotencyKey?: string,
    streamChannel?: string,
    extras?: TurnExtras,
  ): Promise<PreparedTurn> {
    const turnId = turnIdFrom(idempotencyKey);
    const [session, finished] = await Promise.all([
      this.owned(userId, sessionId),
      this.repository.findTurn(sessionId, turnId),
    ]);
    const cipher = new SessionCipher(keys.dataKey, sessionId);
    const requestHash = cipher.fingerprint(turnRequestOf(content, extras));
    const done = finished ? this.answered(finished, cipher, requestHash) : null;
    if (!done && session.status === 'ended')
      throw new ApiException(HttpStatus.CONFLICT, 'session_ended', 'The session has ended');
    return {
      sessionId,
      turnId,
      done,
      run: async (onAccepted) => {
        if (done) return done;
        const attachments = await this.attachments.contextFor(
          sessionId,
          keys.dataKey,
          async () =>
            turnAssistant(
              await this.assistants.snapshot(session.assistantId, {
                promptVersionId: session.promptVersionId,
                modelConfigVersionId: session.modelConfigVersionId,
              }),
            ).model,
        );
        const outcome = await this.turns.turn(
          sessionId,
          {
            turnId,
            requestHash,
            userMessage: cipher.message(content),
            attachments: attachments === null ? null : cipher.seal('attachments', attachments),
            ...sealedExtras(cipher, extras),
            ...(streamChannel ? { streamChannel } : {}),
          },
          keys,
          () => this.restartInput(sessionId, cipher),
          onAccepted,
        );
        return this.opened(outcome, cipher);
      },
    };
  }

  /**
   * The first turn of a response chain (decision 0022): a new session of the assistant that
   * opens with the user's message, not the assistant's, started with that turn. A repeated
   * request (same Idempotency-Key) finds its session and is answered as a repeated turn.
   */
  async prepareChain(
    userId: string,
    keys: TurnKeys,
    assistantId: string,
    content: string,
    extras: TurnExtras,
    idempotencyKey?: string,
    streamChannelOf?: (sessionId: string, turnId: string) => string,
  ): Promise<PreparedTurn> {
    const turnId = turnIdFrom(idempotencyKey);
    const id = sessionIdFor(
      userId,
      idempotencyKey === undefined ? undefined : `response-chain\0${idempotencyKey}`,
    );
    const streamChannel = streamChannelOf?.(id, turnId);
    if (await this.repository.findById(id)) {
      return this.prepareTurn(userId, id, content, keys, turnId, streamChannel, extras);
    }
    const snapshot = await this.assistants.snapshot(assistantId);
    if (!snapshot.active) throw notFound('assistant');
    const cipher = new SessionCipher(keys.dataKey, id);
    const input = this.turns.sessionInput({
      sessionId: id,
      userId,
      assistantId,
      promptVersionId: snapshot.promptVersion.id,
      modelConfigVersionId: snapshot.modelConfigVersion.id,
      dataKeyId: dataKeyId(keys.dataKey),
      assistant: cipher.sealJson('assistant', turnAssistant(snapshot)),
      thread: cipher.thread(EMPTY_THREAD),
      stored: false,
      responseChain: true,
    });
    return {
      sessionId: id,
      turnId,
      done: null,
      run: async (onAccepted) => {
        const outcome = await this.turns.startSession(
          input,
          {
            turnId,
            requestHash: cipher.fingerprint(turnRequestOf(content, extras)),
            userMessage: cipher.message(content),
            ...sealedExtras(cipher, extras),
            ...(streamChannel ? { streamChannel } : {}),
          },
          keys,
          onAccepted,
        );
        return this.opened(outcome, cipher);
      },
    };
  }

  /** The pinned assistant of the user's session, and the session (a stored response's chain). */
  async pinned(userId: string, sessionId: string) {
    const session = await this.owned(userId, sessionId);
    const snapshot = await this.assistants.snapshot(session.assistantId, {
      promptVersionId: session.promptVersionId,
      modelConfigVersionId: session.modelConfigVersionId,
    });
    return { session, assistant: turnAssistant(snapshot) };
  }

  async end(
    userId: string,
    keys: TurnKeys,
    sessionId: string,
  ): Promise<{ sessionId: string; recap: string; usage: Usage; session: SessionView }> {
    const session = await this.owned(userId, sessionId);
    const cipher = new SessionCipher(keys.dataKey, sessionId);
    if (session.status === 'ended') {
      // Ending an ended session answers its recap; one that ended idle has none.
      if (!session.recap) {
        throw new ApiException(
          HttpStatus.CONFLICT,
          'session_ended',
          'The session ended while it was idle; it has no recap',
        );
      }
      return {
        sessionId,
        recap: this.readable(() => cipher.readRecap(session.recap as string)),
        usage: { promptTokens: 0, completionTokens: 0 },
        session: sessionView(session),
      };
    }
    const outcome = await this.turns.end(sessionId, `end-${sessionId}`, keys, () =>
      this.restartInput(sessionId, cipher),
    );
    const ended = await this.owned(userId, sessionId);
    return {
      sessionId,
      recap: cipher.readRecap(outcome.recap),
      usage: outcome.usage,
      session: sessionView(ended),
    };
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

  async resume(
    userId: string,
    dataKey: Buffer,
    sessionId: string,
    previousDataKey?: Buffer,
  ): Promise<ResumedSession> {
    const session = await this.owned(userId, sessionId);
    const cipher = new SessionCipher(readKeyFor(session, dataKey, previousDataKey), sessionId);
    const messages = await this.repository.messages(sessionId);
    return this.readable(() => this.resumed(session, cipher, messages));
  }

  /**
   * The input of a new workflow for a stored session whose workflow is not running (a session
   * from before session workflows, or whose workflow ended without ending it): from its row.
   */
  private async restartInput(
    sessionId: string,
    cipher: SessionCipher,
  ): Promise<SessionWorkflowInput> {
    const session = await this.repository.findById(sessionId);
    if (!session || session.status !== 'active')
      throw new ApiException(HttpStatus.CONFLICT, 'session_ended', 'The session has ended');
    const snapshot = await this.assistants.snapshot(session.assistantId, {
      promptVersionId: session.promptVersionId,
      modelConfigVersionId: session.modelConfigVersionId,
    });
    return this.turns.sessionInput({
      sessionId,
      userId: session.userId,
      assistantId: session.assistantId,
      promptVersionId: session.promptVersionId,
      modelConfigVersionId: session.modelConfigVersionId,
      assistant: cipher.sealJson('assistant', turnAssistant(snapshot)),
      thread: session.payload,
      stored: true,
    });
  }

  /** A finished turn's answer from its row; another body under its key is refused. */
  private answered(turn: TurnEntity, cipher: SessionCipher, requestHash: string): TurnAnswer {
    if (turn.requestHash !== null && turn.requestHash !== requestHash) throw keyReused();
    return {
      turnId: turn.turnId,
      reply: this.readable(() => cipher.readMessage(turn.reply)),
      guardHit: turn.guardHit,
      usage: { promptTokens: turn.promptTokens, completionTokens: turn.completionTokens },
      model: turn.model,
      condensed: turn.condensed,
    };
  }

  private opened(outcome: TurnOutcome, cipher: SessionCipher): TurnAnswer {
    return {
      turnId: outcome.turnId,
      reply: cipher.readMessage(outcome.reply),
      guardHit: outcome.guardHit,
      usage: outcome.usage,
      model: outcome.model,
      condensed: outcome.condensed,
    };
  }

  private startedView(session: SessionEntity, opening: TurnAnswer): StartedSession {
    return {
      session: sessionView(session),
      message: { role: 'assistant', content: opening.reply },
      guardHit: opening.guardHit,
    };
  }

  private resumed(
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
      payload: cipher.readThread<Thread>(session.payload),
      recap: session.recap ? cipher.readRecap(session.recap) : null,
    };
  }

  /** Stored text read with the request's key; another user's key answers 403, not 500. */
  private readable<T>(read: () => T): T {
    try {
      return read();
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

  /** Another user's session is as unknown as a missing one. */
  private async owned(userId: string, sessionId: string) {
    const session = await this.repository.findById(sessionId);
    if (!session || session.userId !== userId) throw notFound('session');
    return session;
  }
}

/** What a turn's Idempotency-Key is bound to: its text, and its options when it has some. */
const turnRequestOf = (content: string, extras?: TurnExtras) =>
  extras?.options && Object.keys(extras.options).length > 0
    ? { content, options: extras.options }
    : { content };

/** A turn's options and stored response, sealed for the workflow. */
function sealedExtras(
  cipher: SessionCipher,
  extras: TurnExtras | undefined,
): Pick<TurnRequest, 'options' | 'response'> {
  return {
    ...(extras?.options && Object.keys(extras.options).length > 0
      ? { options: cipher.sealJson('options', extras.options) }
      : {}),
    ...(extras?.response
      ? {
          response: {
            id: extras.response.id,
            envelope: cipher.sealJson('response', extras.response.envelope),
          },
        }
      : {}),
  };
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
