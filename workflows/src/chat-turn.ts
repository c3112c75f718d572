/**
 * One chat turn of a stored session, exactly once: the workflow id comes from the session and
 * the client's idempotency key, so a repeated request finds this run (or its result).
 * Load the pinned assistant and thread, exchange with the model, persist both messages, the new
 * thread, the counts and the `turn.completed` event in one transaction. A failed turn releases
 * the session for the next one and leaves it unchanged.
 */
import type { ChatTurnInput, TurnResult } from '@lab/contracts';
import { sessions } from './activities';
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
    });
    await store.persistTurn({
      sessionId: input.sessionId,
      turnId: input.turnId,
      userMessage: input.userMessage,
      reply: result.reply,
      thread: result.thread,
      usage: result.usage,
      model: context.assistant.model.model,
      guardHit: result.guardHit,
      latencyMs: result.latencyMs,
      condensed: result.condensed,
    });
    return {
      turnId: input.turnId,
      reply: result.reply,
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
