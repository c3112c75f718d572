/**
 * What the model is sent for each kind of call: a turn (the assistant's initial prompt, the
 * thread, the user's message), a summary of a coach thread past its limit, a session's recap.
 * Chat models get chat messages; legacy completion models one prompt with stop sequences. A
 * completion's caller options apply within the assistant's bounds (`boundedModel`, decision
 * 0016): its instructions right after the assistant's prompt, its stop sequences after the
 * prompt format's own.
 */
import type { CompletionOptions, ModelSettings, Thread, TurnAssistant } from '@lab/contracts';
import {
  encodingForModel,
  type ModelSpec,
  summaryRequest,
  toChatMessages,
  toCompletionPrompt,
} from '@lab/conversation';
import type { ChatMessage, ModelRequest } from '../llm/call-model';

export function modelSpec(model: ModelSettings): ModelSpec {
  return {
    id: model.model,
    endpoint: model.endpoint,
    contextWindow: model.contextWindow,
    maxOutputTokens: model.maxTokens,
    price: { input: 0, output: 0 },
    encoding: encodingForModel(model.model),
  };
}

export function turnRequest(
  assistant: TurnAssistant,
  thread: Thread,
  options: CompletionOptions = {},
): ModelRequest {
  const instructions = options.instructions ?? [];
  const asked = {
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.responseFormat ? { responseFormat: options.responseFormat } : {}),
    ...(options.tools ? { tools: options.tools } : {}),
    ...(options.toolChoice !== undefined ? { toolChoice: options.toolChoice } : {}),
    ...(options.parallelToolCalls !== undefined
      ? { parallelToolCalls: options.parallelToolCalls }
      : {}),
  };
  if (assistant.model.endpoint === 'completion') {
    const { prompt, stop } = toCompletionPrompt(
      [assistant.initialPrompt, ...instructions].join('\n\n'),
      thread,
    );
    return { prompt, stop: [...stop, ...(options.stop ?? [])], ...asked };
  }
  const [system, ...rest] = toChatMessages(assistant.initialPrompt, thread);
  return {
    messages: [
      ...(system ? [system] : []),
      ...instructions.map((content) => ({ role: 'system' as const, content })),
      // With tools, the caller's own messages (tool calls and results); else the thread's text.
      ...(options.conversation ?? rest),
    ],
    ...(options.stop ? { stop: options.stop } : {}),
    ...asked,
    // Several choices and log probabilities: chat models only (the sessions service refuses
    // them for a legacy completion model).
    ...(options.n !== undefined && options.n > 1 ? { n: options.n } : {}),
    ...(options.logprobs
      ? {
          logprobs: true,
          ...(options.topLogprobs !== undefined ? { topLogprobs: options.topLogprobs } : {}),
        }
      : {}),
  };
}

/**
 * The assistant's model settings with the caller's options: the output cap lowered (never
 * raised past the assistant's, which the registry bounds by the model's), sampling replaced.
 */
export function boundedModel(model: ModelSettings, options: CompletionOptions = {}): ModelSettings {
  return {
    ...model,
    maxTokens: Math.min(model.maxTokens, options.maxTokens ?? model.maxTokens),
    temperature: options.temperature ?? model.temperature,
    topP: options.topP ?? model.topP,
    presencePenalty: options.presencePenalty ?? model.presencePenalty,
    frequencyPenalty: options.frequencyPenalty ?? model.frequencyPenalty,
  };
}

/** The summary prompt over a thread: a coach thread's summary, or a session's recap. */
export function summaryCall(assistant: TurnAssistant, thread: Thread): ModelRequest {
  const messages = summaryRequest(assistant.summaryPrompt, thread);
  return assistant.model.endpoint === 'completion' ? asCompletionRequest(messages) : { messages };
}

/** Chat messages as one prompt string, for a summary on the legacy completion endpoint. */
function asCompletionRequest(messages: ChatMessage[]): ModelRequest {
  const lines = messages.map((m) =>
    m.role === 'system' ? m.content : `${m.role === 'user' ? 'Human' : 'AI'}: ${m.content}`,
  );
  return { prompt: `${lines.join('\n\n')}\n\nSummary:` };
}

/** The attachments as a user message just before the latest one, for this request only. */
export function withAttachments(thread: Thread, attachments: string): Thread {
  const at = thread.messages.length > 0 ? thread.messages.length - 1 : 0;
  return {
    ...thread,
    messages: [
      ...thread.messages.slice(0, at),
      { role: 'user', content: attachments },
      ...thread.messages.slice(at),
    ],
  };
}
