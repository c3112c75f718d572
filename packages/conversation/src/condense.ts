/**
 * Keeping threads inside a model's context window (seed 001, lesson 8). Brainstorming assistants
 * simply forget: they keep the last `BRAINSTORM_KEEP_MESSAGES` messages. Coaching assistants must
 * not lose the thread of a session: once the request a thread would produce passes
 * `COACH_SUMMARY_RATIO` of the model's context window, the whole thread is summarised (with the
 * assistant's summary prompt) and a new thread starts from that summary and the last
 * `COACH_KEEP_AFTER_SUMMARY` messages. This module owns the decision, measured in real tokens of
 * the real request (chat messages or completion prompt, initial prompt included); the caller runs
 * the summarising LLM call and applies the result.
 */
import type { ModelSpec } from './models';
import {
  type ChatMessage,
  type Thread,
  type ThreadMessage,
  toChatMessages,
  toCompletionPrompt,
} from './prompt-format';
import { countChatTokens, countTokens } from './tokens';

export const BRAINSTORM_KEEP_MESSAGES = 20;
export const COACH_SUMMARY_RATIO = 0.6;
export const COACH_KEEP_AFTER_SUMMARY = 4;

export type SessionType = 'brainstorm' | 'coach';

export type CondensePlan =
  | { kind: 'keep' }
  | { kind: 'truncate'; thread: Thread; dropped: number }
  | {
      kind: 'summarise';
      /** What the summarising call must cover: the whole thread, earlier summary included. */
      toSummarise: Thread;
      /** The messages the new thread keeps after the summary. */
      keep: ThreadMessage[];
      /** Prompt tokens of the request the thread would produce now. */
      tokens: number;
      /** The most prompt tokens a coach thread may reach: floor(ratio × context window). */
      limit: number;
    };

/** Prompt tokens of the request `thread` would produce for `model`, by its real tokenizer. */
export function threadTokens(thread: Thread, initialPrompt: string, model: ModelSpec): number {
  if (model.endpoint === 'chat') {
    return countChatTokens(toChatMessages(initialPrompt, thread), model.id);
  }
  return countTokens(toCompletionPrompt(initialPrompt, thread).prompt, model.id);
}

/** The token budget of a coach thread; exact for windows like 16,385 where 0.6 × n is binary-inexact. */
export function coachTokenLimit(model: ModelSpec): number {
  return Math.floor(model.contextWindow * COACH_SUMMARY_RATIO + 1e-9);
}

export function planCondense(input: {
  sessionType: SessionType;
  model: ModelSpec;
  initialPrompt: string;
  thread: Thread;
}): CondensePlan {
  const { sessionType, model, initialPrompt, thread } = input;
  if (sessionType === 'brainstorm') {
    const dropped = thread.messages.length - BRAINSTORM_KEEP_MESSAGES;
    if (dropped <= 0) return { kind: 'keep' };
    return {
      kind: 'truncate',
      thread: { summary: null, messages: thread.messages.slice(dropped) },
      dropped,
    };
  }
  const tokens = threadTokens(thread, initialPrompt, model);
  const limit = coachTokenLimit(model);
  if (tokens <= limit) return { kind: 'keep' };
  return {
    kind: 'summarise',
    toSummarise: { summary: thread.summary, messages: [...thread.messages] },
    keep: thread.messages.slice(-COACH_KEEP_AFTER_SUMMARY),
    tokens,
    limit,
  };
}

/**
 * The chat messages of the summarising call: the assistant's summary prompt as the system
 * message, the earlier summary (if any) so the new one carries it forward, then the conversation.
 */
export function summaryRequest(summaryPrompt: string, thread: Thread): ChatMessage[] {
  return toChatMessages(summaryPrompt, thread);
}

/** The new thread after a summary: the summary and the messages the plan kept. */
export function applySummary(summary: string, keep: ThreadMessage[]): Thread {
  return { summary, messages: keep.map((message) => ({ ...message })) };
}
