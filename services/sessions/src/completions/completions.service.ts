/**
 * Stateless completions with a stored assistant, for callers that keep the conversation
 * themselves (OpenAI-compatible clients through the gateway): the assistant's active version
 * answers the messages with the same exchange as a session turn (its initial prompt as the
 * system prompt, its guard, its model settings), run as a `labTurn` workflow. Nothing is stored.
 */
import { Injectable } from '@nestjs/common';
import type { LabTurnInput, ThreadMessage, Usage } from '@lab/contracts';
import { badRequest, notFound } from '@lab/platform/http';
import { AssistantsClient, turnAssistant } from '../assistants/assistants.client';
import type { TurnKeys } from '../turns/turn-keys';
import { TurnRunner } from '../turns/turn-runner';
import type { CompletionMessageDto } from '@lab/contracts/dto';

export interface Completion {
  turnId: string;
  reply: string;
  guardHit: boolean;
  usage: Usage;
  model: string;
}

/** What a completion will run, checked before anything is answered (or streamed). */
export type PreparedCompletion = Omit<LabTurnInput, 'credentialRef' | 'streamChannel'>;

@Injectable()
export class CompletionsService {
  constructor(
    private readonly assistants: AssistantsClient,
    private readonly turns: TurnRunner,
  ) {}

  /**
   * The assistant's active version and the conversation as a thread and a last user message.
   * The client's `system` messages are dropped: the assistant's initial prompt is the system
   * prompt, and the guard protects it.
   */
  async prepare(
    turnId: string,
    assistantId: string,
    messages: CompletionMessageDto[],
  ): Promise<PreparedCompletion> {
    const conversation = messages.filter(
      (m): m is CompletionMessageDto & ThreadMessage => m.role !== 'system',
    );
    const last = conversation.at(-1);
    if (!last || last.role !== 'user' || last.content.trim() === '') {
      throw badRequest('The request is not valid', [
        {
          field: 'messages',
          message: 'the last message (system messages aside) must be a non-empty user message',
        },
      ]);
    }
    const snapshot = await this.assistants.snapshot(assistantId);
    if (!snapshot.active) throw notFound('assistant');
    return {
      turnId,
      assistant: turnAssistant(snapshot),
      thread: {
        summary: null,
        messages: conversation.slice(0, -1).map(({ role, content }) => ({ role, content })),
      },
      userMessage: last.content,
    };
  }

  async complete(
    userId: string,
    prepared: PreparedCompletion,
    keys: TurnKeys,
    streamChannel?: string,
  ): Promise<Completion> {
    const result = await this.turns.completion(
      userId,
      { ...prepared, ...(streamChannel ? { streamChannel } : {}) },
      keys,
    );
    return {
      turnId: result.turnId,
      reply: result.reply,
      guardHit: result.guardHit,
      usage: result.usage,
      model: result.model,
    };
  }
}
