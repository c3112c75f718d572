/**
 * One chat turn of a stored session, exactly once: the workflow id comes from the session and
 * the client's idempotency key, so a repeated request finds this run (or its result).
 * Load the pinned assistant and thread, exchange with the model, persist both messages, the new
 * thread, the counts and the `turn.completed` event in one transaction. A failed turn releases
 * the session for the next one and leaves it unchanged.
 */
import type { ChatTurnInput, TurnResult } from '@lab/contracts';
import { uuid4 } from '@temporalio/workflow';
import { sessions } from './activities';
import { extractReturnedFiles } from './returned-files';
import { exchange } from './turn';

export async function chatTurn(input: ChatTurnInput): Promise<TurnResult> {
  const store = sessions(input.sessionsTaskQueue);
  const context = await store.loadTurnContext({ sessionId: input.sessionId, turnId: input.turnId });
  if (context.alreadyPersisted) return context.alreadyPersisted;
  try {
    const result = await exchange({
      turnId: input.turnId,
      assistant: context.assistant,
      thread: context.thread,
      userMessage: input.userMessage,
      streamChannel: input.streamChannel,
      credentialRef: input.credentialRef,
      attachments: context.attachments,
    });
    // Files in the reply become attachments; the reply (and the thread) keep a reference.
    const { reply, files } = extractReturnedFiles(result.reply, uuid4);
    const thread =
      files.length === 0
        ? result.thread
        : {
            ...result.thread,
            messages: result.thread.messages.map((m) =>
              m.role === 'assistant' && m.content === result.reply ? { ...m, content: reply } : m,
            ),
          };
    await store.persistTurn({
      sessionId: input.sessionId,
      turnId: input.turnId,
      userMessage: input.userMessage,
      reply,
      thread,
      usage: result.usage,
      model: context.assistant.model.model,
      guardHit: result.guardHit,
      latencyMs: result.latencyMs,
      condensed: result.condensed,
      ...(files.length > 0 ? { files } : {}),
      ...(input.callerKeyId ? { callerKeyId: input.callerKeyId } : {}),
    });
    return {
      turnId: input.turnId,
      reply,
      guardHit: result.guardHit,
      usage: result.usage,
      model: context.assistant.model.model,
      condensed: result.condensed,
    };
  } catch (error) {
    await store.releaseTurn({ sessionId: input.sessionId, turnId: input.turnId });
    throw error;
  }
}
