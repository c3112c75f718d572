/**
 * Stored responses (OpenAI's Responses API with `store: true`, decision 0022): a response chain
 * is a session of the assistant that opens with the user's first message. A stored response is
 * a turn of it, run as any session turn (sealed messages, usage, condensing, recap, archive)
 * with the caller's options for that turn, and recorded with the turn (response id → session,
 * turn, owner). `previous_response_id` continues the chain's session; with `store: false` it is
 * answered as a stateless exchange from the session's thread, and nothing is stored. Reading a
 * response opens its envelope and reply with the caller's key; another user's is unknown.
 */
import { HttpStatus, Injectable } from '@nestjs/common';
import type { CompletionOptions, Thread, TurnAssistant, Usage } from '@lab/contracts';
import type { CreateStoredResponseDto } from '@lab/contracts/dto';
import { DecryptionError, SessionCipher } from '@lab/platform';
import { ApiException, badRequest } from '@lab/platform/http';
import { AssistantsClient, turnAssistant } from '../assistants/assistants.client';
import { readKeyFor } from '../sessions/data-key.decorator';
import { SessionsRepository } from '../sessions/sessions.repository';
import { type PreparedTurn, SessionsService, turnIdFrom } from '../sessions/sessions.service';
import { ExchangesService } from '../turns/exchanges.service';
import type { TurnKeys } from '../turns/turn-keys';
import type { OnAccepted } from '../turns/turn-runner';
import { TurnStreams } from '../turns/turn-streams';
import type { StoredResponseEntity } from './entities/stored-response.entity';
import { ResponsesRepository } from './responses.repository';

/** A response's exchange as the gateway answers it (`responseId` null: not stored). */
export interface ResponseAnswer {
  responseId: string | null;
  sessionId: string;
  turnId: string;
  reply: string;
  guardHit: boolean;
  usage: Usage;
  model: string;
  finishReason?: string;
}

/** A stored response as `GET` reads it: its envelope and its turn's reply, opened. */
export interface StoredResponseView extends ResponseAnswer {
  responseId: string;
  createdAt: string;
  envelope: Record<string, unknown>;
}

/** What a response will run, checked before anything is answered (or streamed). */
export interface PreparedResponse {
  /** The Redis channel its stream goes to, when streamed. */
  channel?: string;
  run(onAccepted?: OnAccepted): Promise<ResponseAnswer>;
}

const notFound = (id: string, field?: string) =>
  new ApiException(
    HttpStatus.NOT_FOUND,
    'not_found',
    `${field ? 'Previous response' : 'Response'} with id ${JSON.stringify(id)} not found.`,
    field ? [{ field, message: 'no stored response of yours has this id' }] : undefined,
  );

const keyMismatch = () =>
  new ApiException(
    HttpStatus.FORBIDDEN,
    'key_mismatch',
    'The key material does not open this response',
  );

@Injectable()
export class ResponsesService {
  constructor(
    private readonly repository: ResponsesRepository,
    private readonly sessions: SessionsService,
    private readonly sessionRows: SessionsRepository,
    private readonly assistants: AssistantsClient,
    private readonly exchanges: ExchangesService,
  ) {}

  async prepare(
    userId: string,
    keys: TurnKeys & { previousDataKey?: Buffer | undefined },
    body: CreateStoredResponseDto,
    idempotencyKey: string | undefined,
  ): Promise<PreparedResponse> {
    const options: CompletionOptions = {
      ...(body.options ?? {}),
      ...(body.instructions?.length ? { instructions: body.instructions } : {}),
    };
    const previous =
      body.previousResponseId != null ? await this.previous(userId, body.previousResponseId) : null;
    if (!body.store) {
      if (!previous) {
        throw badRequest('The request is not valid', [
          { field: 'store', message: 'without a previous response, send it as a completion' },
        ]);
      }
      return this.unstored(userId, keys, previous, body, options, idempotencyKey);
    }
    const extras = { options, response: { id: body.responseId, envelope: body.envelope } };
    const streamed = body.stream === true;
    let prepared: PreparedTurn;
    if (previous) {
      const { session, assistant } = await this.sessions.pinned(userId, previous.sessionId);
      if (session.assistantId !== body.assistantId) throw otherAssistant();
      refuseUnsupported(assistant, options);
      const turnId = turnIdFrom(idempotencyKey);
      // An ended chain takes no new turn (a repeat of a finished one is still answered).
      prepared = await this.sessions
        .prepareTurn(
          userId,
          previous.sessionId,
          body.content,
          keys,
          turnId,
          streamed ? TurnStreams.channel(previous.sessionId, turnId) : undefined,
          extras,
        )
        .catch((error: unknown) => {
          if (error instanceof ApiException && error.code === 'session_ended') throw chainEnded();
          throw error;
        });
    } else {
      const { assistantId } = body;
      if (options.responseFormat) {
        refuseUnsupported(turnAssistant(await this.assistants.snapshot(assistantId)), options);
      }
      prepared = await this.sessions.prepareChain(
        userId,
        keys,
        assistantId,
        body.content,
        extras,
        idempotencyKey,
        streamed ? (sessionId, turnId) => TurnStreams.channel(sessionId, turnId) : undefined,
      );
    }
    return {
      ...(streamed ? { channel: TurnStreams.channel(prepared.sessionId, prepared.turnId) } : {}),
      run: async (onAccepted) => {
        const answer = await prepared.run(onAccepted);
        // The record came with the turn; a repeated request gets the first one's id.
        const record = await this.repository.forTurn(prepared.sessionId, prepared.turnId);
        if (!record) throw notFound(body.responseId);
        return {
          responseId: record.id,
          sessionId: prepared.sessionId,
          turnId: prepared.turnId,
          reply: answer.reply,
          guardHit: answer.guardHit,
          usage: answer.usage,
          model: answer.model,
          ...(record.finishReason ? { finishReason: record.finishReason } : {}),
        };
      },
    };
  }

  /** The user's stored response: its envelope, and its turn's reply and usage. */
  async retrieve(
    userId: string,
    dataKey: Buffer,
    previousDataKey: Buffer | undefined,
    id: string,
  ): Promise<StoredResponseView> {
    const record = await this.repository.findOwned(userId, id);
    if (!record) throw notFound(id);
    const [session, turn] = await Promise.all([
      this.sessionRows.findById(record.sessionId),
      this.sessionRows.findTurn(record.sessionId, record.turnId),
    ]);
    if (!session || !turn) throw notFound(id);
    const cipher = new SessionCipher(
      readKeyFor(session, dataKey, previousDataKey),
      record.sessionId,
    );
    try {
      return {
        responseId: record.id,
        sessionId: record.sessionId,
        turnId: record.turnId,
        createdAt: record.createdAt.toISOString(),
        envelope: cipher.openJson<Record<string, unknown>>('response', record.envelope),
        reply: cipher.readMessage(turn.reply),
        guardHit: turn.guardHit,
        usage: { promptTokens: turn.promptTokens, completionTokens: turn.completionTokens },
        model: turn.model,
        ...(record.finishReason ? { finishReason: record.finishReason } : {}),
      };
    } catch (error) {
      if (error instanceof DecryptionError) throw keyMismatch();
      throw error;
    }
  }

  /** Deletes the record: the response is gone; the turn stays in its session (decision 0022). */
  async remove(userId: string, id: string): Promise<{ id: string; deleted: true }> {
    if (!(await this.repository.deleteOwned(userId, id))) throw notFound(id);
    return { id, deleted: true };
  }

  private async previous(userId: string, id: string): Promise<StoredResponseEntity> {
    const record = await this.repository.findOwned(userId, id);
    if (!record) throw notFound(id, 'previous_response_id');
    return record;
  }

  /**
   * `store: false` after a stored response: the model sees the chain's thread and this message,
   * as a stateless exchange (usage recorded, nothing else); the chain does not move on.
   */
  private async unstored(
    userId: string,
    keys: TurnKeys & { previousDataKey?: Buffer | undefined },
    previous: StoredResponseEntity,
    body: CreateStoredResponseDto,
    options: CompletionOptions,
    idempotencyKey: string | undefined,
  ): Promise<PreparedResponse> {
    const { session, assistant } = await this.sessions.pinned(userId, previous.sessionId);
    if (session.assistantId !== body.assistantId) throw otherAssistant();
    refuseUnsupported(assistant, options);
    const cipher = new SessionCipher(
      readKeyFor(session, keys.dataKey, keys.previousDataKey),
      session.id,
    );
    let thread: Thread;
    try {
      thread = cipher.readThread<Thread>(session.payload);
    } catch (error) {
      if (error instanceof DecryptionError) throw keyMismatch();
      throw error;
    }
    const turnId = turnIdFrom(idempotencyKey);
    const channel =
      body.stream === true ? TurnStreams.channel(`completion:${userId}`, turnId) : undefined;
    return {
      ...(channel ? { channel } : {}),
      run: async (onAccepted) => {
        const answer = await this.exchanges.exchange(
          {
            source: 'completion',
            userId,
            turnId,
            assistant,
            thread,
            userMessage: body.content,
            options,
            request: { previousResponseId: previous.id, content: body.content, options },
            ...(channel ? { streamChannel: channel } : {}),
          },
          keys,
          onAccepted,
        );
        return {
          responseId: null,
          sessionId: session.id,
          turnId,
          reply: answer.reply,
          guardHit: answer.guardHit,
          usage: answer.usage,
          model: answer.model,
          ...(answer.finishReason ? { finishReason: answer.finishReason } : {}),
        };
      },
    };
  }
}

const chainEnded = () =>
  new ApiException(
    HttpStatus.CONFLICT,
    'session_ended',
    'The session of the previous response has ended (by its owner or idle): start a new chain, or send store: false to continue it without storing',
    [{ field: 'previous_response_id', message: 'its session has ended' }],
  );

const otherAssistant = () =>
  badRequest('The request is not valid', [
    {
      field: 'model',
      message: 'a response chain continues with its own assistant: name the previous response’s',
    },
  ]);

/** What a legacy completion model cannot do (as for completions, decision 0016). */
function refuseUnsupported(assistant: TurnAssistant, options: CompletionOptions): void {
  if (assistant.model.endpoint === 'completion' && options.responseFormat) {
    throw badRequest('The request is not valid', [
      {
        field: 'text.format',
        message: `the assistant's model (${assistant.model.model}) is a legacy completion model, which has no JSON modes`,
      },
    ]);
  }
}
