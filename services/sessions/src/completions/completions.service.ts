/**
 * Stateless completions with a stored assistant, for callers that keep the conversation
 * themselves (OpenAI-compatible clients through the gateway): the assistant's active version
 * answers the messages with the same exchange as a session turn (its initial prompt as the
 * system prompt, its guard, its model settings), run as an exchange workflow, with the caller's
 * options within the assistant's bounds (decision 0016). Nothing is stored.
 */
import { Injectable } from '@nestjs/common';
import type {
  CompletionChoice,
  CompletionOptions,
  Thread,
  ThreadMessage,
  TokenLogprob,
  ToolCall,
  TurnAssistant,
  Usage,
} from '@lab/contracts';
import { badRequest, notFound } from '@lab/platform/http';
import { AssistantsClient, turnAssistant } from '../assistants/assistants.client';
import { ExchangesService } from '../turns/exchanges.service';
import type { TurnKeys } from '../turns/turn-keys';
import type { OnAccepted } from '../turns/turn-runner';
import type { CompletionMessageDto, CompletionOptionsDto } from '@lab/contracts/dto';

export interface Completion {
  turnId: string;
  reply: string;
  guardHit: boolean;
  usage: Usage;
  model: string;
  finishReason?: string;
  toolCalls?: ToolCall[];
  /** The first choice's tokens, when asked for and the choice was not guarded. */
  logprobs?: TokenLogprob[];
  /** With `n` > 1, the choices after the first, each guarded on its own. */
  choices?: CompletionChoice[];
}

/** What a completion will run, checked before anything is answered (or streamed). */
export interface PreparedCompletion {
  turnId: string;
  assistant: TurnAssistant;
  thread: Thread;
  userMessage: string | null;
  options: CompletionOptions;
  /** The request as the caller sent it (what its idempotency key is bound to). */
  request: unknown;
}

@Injectable()
export class CompletionsService {
  constructor(
    private readonly assistants: AssistantsClient,
    private readonly exchanges: ExchangesService,
  ) {}

  /**
   * The assistant's active version and the conversation as a thread and a last user message.
   * The client's `system` messages become instructions sent right after the assistant's initial
   * prompt (which stays first, and which the guard protects), in their order.
   */
  async prepare(
    turnId: string,
    assistantId: string,
    messages: CompletionMessageDto[],
    asked: CompletionOptionsDto = {},
  ): Promise<PreparedCompletion> {
    const instructions = messages
      .filter((m) => m.role === 'system' && m.content.trim() !== '')
      .map((m) => m.content);
    const conversation = messages.filter(
      (m): m is CompletionMessageDto & ThreadMessage => m.role !== 'system',
    );
    const last = conversation.at(-1);
    // With tools, a conversation may also end with the results of the model's calls.
    const toolResults = asked.conversation?.at(-1)?.role === 'tool';
    if (!toolResults && (!last || last.role !== 'user' || last.content.trim() === '')) {
      throw badRequest('The request is not valid', [
        {
          field: 'messages',
          message:
            'the last message (system messages aside) must be a non-empty user message, or tool results',
        },
      ]);
    }
    const snapshot = await this.assistants.snapshot(assistantId);
    if (!snapshot.active) throw notFound('assistant');
    const assistant = turnAssistant(snapshot);
    // As OpenAI has it: alternatives go with the log probabilities only.
    if (asked.topLogprobs !== undefined && asked.logprobs !== true) {
      throw badRequest('The request is not valid', [
        { field: 'top_logprobs', message: "top_logprobs is only allowed when 'logprobs' is true" },
      ]);
    }
    if (assistant.model.endpoint === 'completion') {
      const legacy = `the assistant's model (${assistant.model.model}) is a legacy completion model`;
      if (asked.responseFormat) {
        throw badRequest('The request is not valid', [
          { field: 'response_format', message: `${legacy}, which has no JSON modes` },
        ]);
      }
      if (asked.tools || asked.conversation) {
        throw badRequest('The request is not valid', [
          { field: 'tools', message: `${legacy}, which cannot call functions` },
        ]);
      }
      // The platform reads one reply out of its prompt format; several, or their tokens, not.
      if ((asked.n ?? 1) > 1) {
        throw badRequest('The request is not valid', [
          { field: 'n', message: `${legacy}: one choice per request` },
        ]);
      }
      if (asked.logprobs) {
        throw badRequest('The request is not valid', [
          { field: 'logprobs', message: `${legacy}, whose log probabilities are not passed on` },
        ]);
      }
      // Its prompt format takes two of the four stop sequences the endpoint allows.
      if ((asked.stop?.length ?? 0) > 2) {
        throw badRequest('The request is not valid', [
          { field: 'stop', message: `${legacy}: at most 2 stop sequences` },
        ]);
      }
    }
    const options: CompletionOptions = {
      ...asked,
      ...(instructions.length > 0 ? { instructions } : {}),
    };
    return {
      turnId,
      assistant,
      thread: {
        summary: null,
        messages: (toolResults ? conversation : conversation.slice(0, -1)).map(
          ({ role, content }) => ({ role, content }),
        ),
      },
      userMessage: toolResults ? null : (last?.content ?? ''),
      options,
      request: { assistantId, messages, options: asked },
    };
  }

  async complete(
    userId: string,
    prepared: PreparedCompletion,
    keys: TurnKeys,
    streamChannel?: string,
    onAccepted?: OnAccepted,
  ): Promise<Completion> {
    const result = await this.exchanges.exchange(
      {
        source: 'completion',
        userId,
        ...prepared,
        ...(streamChannel ? { streamChannel } : {}),
      },
      keys,
      onAccepted,
    );
    return {
      turnId: result.turnId,
      reply: result.reply,
      guardHit: result.guardHit,
      usage: result.usage,
      model: result.model,
      ...(result.finishReason ? { finishReason: result.finishReason } : {}),
      ...(result.toolCalls ? { toolCalls: result.toolCalls } : {}),
      ...(result.logprobs ? { logprobs: result.logprobs } : {}),
      ...(result.choices ? { choices: result.choices } : {}),
    };
  }
}
