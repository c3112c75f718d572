/**
 * Stateless exchanges (the lab's test chat, OpenAI-compatible completions): the caller's thread
 * and the assistant are sealed under the exchange's key (derived from the user's data key and
 * the exchange's id, see `exchangeKey`), run as an eagerly started exchange workflow, and the
 * outcome opened for the answer. Nothing is stored but the usage.
 */
import { Injectable } from '@nestjs/common';
import type {
  CompletionChoice,
  CompletionOptions,
  Condensed,
  Thread,
  TokenLogprob,
  ToolCall,
  TurnAssistant,
  Usage,
} from '@lab/contracts';
import { exchangeKey, SessionCipher } from '@lab/platform';
import { completionWorkflowId, labWorkflowId } from '@lab/workflows/ids';
import type { TurnKeys } from './turn-keys';
import { type OnAccepted, TurnRunner } from './turn-runner';

export interface ExchangeRequest {
  source: 'lab' | 'completion';
  userId: string;
  turnId: string;
  assistant: TurnAssistant;
  thread: Thread;
  userMessage: string | null;
  /** A completion's options (absent: the assistant's settings alone). */
  options?: CompletionOptions;
  /** What the idempotency key is bound to (the request as the caller sent it). */
  request: unknown;
  streamChannel?: string;
}

export interface ExchangeAnswer {
  turnId: string;
  reply: string;
  guardHit: boolean;
  usage: Usage;
  model: string;
  condensed: Condensed;
  finishReason?: string;
  toolCalls?: ToolCall[];
  /** The first choice's tokens (`logprobs` asked, the choice not guarded). */
  logprobs?: TokenLogprob[];
  /** The choices after the first (`n` > 1), each guarded on its own. */
  choices?: CompletionChoice[];
  thread: Thread;
}

@Injectable()
export class ExchangesService {
  constructor(private readonly turns: TurnRunner) {}

  async exchange(
    request: ExchangeRequest,
    keys: TurnKeys,
    onAccepted?: OnAccepted,
  ): Promise<ExchangeAnswer> {
    const workflowId =
      request.source === 'lab'
        ? labWorkflowId(request.userId, request.turnId)
        : completionWorkflowId(request.userId, request.turnId);
    const key = exchangeKey(keys.dataKey, workflowId);
    const cipher = new SessionCipher(key, workflowId);
    const outcome = await this.turns.exchange(
      workflowId,
      {
        scope: workflowId,
        turnId: request.turnId,
        requestHash: cipher.fingerprint(request.request),
        assistantId: request.assistant.assistantId,
        assistant: cipher.sealJson('assistant', request.assistant),
        thread: cipher.thread(request.thread),
        userMessage: request.userMessage === null ? null : cipher.message(request.userMessage),
        ...(request.options && Object.keys(request.options).length > 0
          ? { options: cipher.sealJson('options', request.options) }
          : {}),
        ...(request.streamChannel ? { streamChannel: request.streamChannel } : {}),
        usage: { userId: request.userId, source: request.source },
      },
      key,
      keys,
      onAccepted,
    );
    return {
      turnId: outcome.turnId,
      reply: cipher.readMessage(outcome.reply),
      guardHit: outcome.guardHit,
      usage: outcome.usage,
      model: outcome.model,
      condensed: outcome.condensed,
      ...(outcome.finishReason ? { finishReason: outcome.finishReason } : {}),
      ...(outcome.toolCalls
        ? { toolCalls: cipher.openJson<ToolCall[]>('options', outcome.toolCalls) }
        : {}),
      ...(outcome.logprobs
        ? { logprobs: cipher.openJson<TokenLogprob[]>('logprobs', outcome.logprobs) }
        : {}),
      ...(outcome.choices
        ? { choices: cipher.openJson<CompletionChoice[]>('choices', outcome.choices) }
        : {}),
      thread: cipher.readThread<Thread>(outcome.thread),
    };
  }
}
