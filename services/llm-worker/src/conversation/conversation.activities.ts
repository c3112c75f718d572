/**
 * The chat turn's local activities: pure conversation logic (request formats, the prompt-leak
 * guard, condensing) run next to the workflow, outside its sandbox, so the tokenizer and the
 * guard's vocabulary stay out of the workflow bundle.
 */
import type {
  BuildRequestInput,
  CondenseDecision,
  CondenseInput,
  ConversationActivities,
  GuardInput,
  GuardOutcome,
  ModelRequest,
  ModelSettings,
  Thread,
  TurnAssistant,
} from '@lab/contracts';
import {
  encodingForModel,
  GUARD_REPLACEMENT,
  guardReply,
  type ModelSpec,
  planCondense,
  summaryRequest,
  toChatMessages,
  toCompletionPrompt,
} from '@lab/conversation';
import { guardHits } from '../metrics/metrics';

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

function requestFor(assistant: TurnAssistant, thread: Thread): ModelRequest {
  if (assistant.model.endpoint === 'completion') {
    const { prompt, stop } = toCompletionPrompt(assistant.initialPrompt, thread);
    return { prompt, stop };
  }
  return { messages: toChatMessages(assistant.initialPrompt, thread) };
}

/** Chat messages as one prompt string, for a summary on the legacy completion endpoint. */
function asCompletionRequest(messages: Array<{ role: string; content: string }>): ModelRequest {
  const lines = messages.map((m) =>
    m.role === 'system' ? m.content : `${m.role === 'user' ? 'Human' : 'AI'}: ${m.content}`,
  );
  return { prompt: `${lines.join('\n\n')}\n\nSummary:` };
}

export function createConversationActivities(): ConversationActivities {
  return {
    buildModelRequest({ assistant, thread }: BuildRequestInput): Promise<ModelRequest> {
      return Promise.resolve(requestFor(assistant, thread));
    },

    buildRecapRequest({ assistant, thread }: BuildRequestInput): Promise<ModelRequest> {
      const messages = summaryRequest(assistant.summaryPrompt, thread);
      return Promise.resolve(
        assistant.model.endpoint === 'completion' ? asCompletionRequest(messages) : { messages },
      );
    },

    guardReply({ reply, initialPrompt, threshold }: GuardInput): Promise<GuardOutcome> {
      const verdict = guardReply(reply, initialPrompt, threshold);
      if (verdict.leaked) guardHits.inc({ stage: 'reply' });
      return Promise.resolve({
        leaked: verdict.leaked,
        score: verdict.score,
        reply: verdict.reply,
        replacement: GUARD_REPLACEMENT,
      });
    },

    planCondense({ assistant, thread }: CondenseInput): Promise<CondenseDecision> {
      const plan = planCondense({
        sessionType: assistant.sessionType,
        model: modelSpec(assistant.model),
        initialPrompt: assistant.initialPrompt,
        thread,
      });
      switch (plan.kind) {
        case 'keep':
          return Promise.resolve({ kind: 'keep', thread });
        case 'truncate':
          return Promise.resolve({ kind: 'truncate', thread: plan.thread });
        case 'summarise': {
          const messages = summaryRequest(assistant.summaryPrompt, plan.toSummarise);
          return Promise.resolve({
            kind: 'summarise',
            summaryRequest:
              assistant.model.endpoint === 'completion'
                ? asCompletionRequest(messages)
                : { messages },
            keep: plan.keep,
            tokens: plan.tokens,
            limit: plan.limit,
          });
        }
      }
    },
  };
}
