/**
 * One exchange with the model, shared by chat and lab turns: build the request for the model's
 * endpoint, call it (streaming guarded sentences when asked), guard the reply against leaking the
 * initial prompt, then condense the thread for the next turn.
 */
import type { Thread, TurnAssistant, TurnResult, Usage } from '@lab/contracts';
import { conversation, llm } from './activities';

export interface Exchange {
  reply: string;
  guardHit: boolean;
  usage: Usage;
  thread: Thread;
  condensed: TurnResult['condensed'];
  latencyMs: number;
}

export interface ExchangeInput {
  turnId: string;
  assistant: TurnAssistant;
  thread: Thread;
  userMessage: string | null;
  streamChannel?: string | undefined;
  /** The user's own provider key's turn-vault entry: every model call of the turn uses it. */
  credentialRef?: string | undefined;
  /** The session's text attachments, sent with this request only (never kept in the thread). */
  attachments?: string | null | undefined;
}

export async function exchange({
  turnId,
  assistant,
  thread,
  userMessage,
  streamChannel,
  credentialRef,
  attachments,
}: ExchangeInput): Promise<Exchange> {
  const credential = credentialRef ? { credentialRef } : {};
  const asked: Thread =
    userMessage === null
      ? thread
      : { ...thread, messages: [...thread.messages, { role: 'user', content: userMessage }] };
  const request = await conversation.buildModelRequest({
    assistant,
    thread: attachments ? withAttachments(asked, attachments) : asked,
  });
  const call = await llm.callModel({
    turnId,
    model: assistant.model,
    ...request,
    ...credential,
    ...(streamChannel
      ? {
          stream: {
            channel: streamChannel,
            initialPrompt: assistant.initialPrompt,
            guardThreshold: assistant.guardThreshold,
          },
        }
      : {}),
  });
  const guard = await conversation.guardReply({
    reply: call.text,
    initialPrompt: assistant.initialPrompt,
    threshold: assistant.guardThreshold,
  });
  const guardHit = guard.leaked || call.streamGuardHit === true;
  // A leaking reply is never shown, stored or fed back to the model: the replacement is.
  const reply = guardHit ? guard.replacement : call.text;
  const answered: Thread = {
    ...asked,
    messages: [...asked.messages, { role: 'assistant', content: reply }],
  };

  const usage = { ...call.usage };
  const plan = await conversation.planCondense({ assistant, thread: answered });
  let next: Thread;
  if (plan.kind === 'summarise') {
    const summary = await llm.callModel({
      turnId: `${turnId}:summary`,
      model: assistant.model,
      ...plan.summaryRequest,
      ...credential,
    });
    usage.promptTokens += summary.usage.promptTokens;
    usage.completionTokens += summary.usage.completionTokens;
    next = { summary: summary.text, messages: plan.keep };
  } else {
    next = plan.thread;
  }
  return { reply, guardHit, usage, thread: next, condensed: plan.kind, latencyMs: call.latencyMs };
}

/** The attachments as a user message just before the latest one, for this request only. */
function withAttachments(thread: Thread, attachments: string): Thread {
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
