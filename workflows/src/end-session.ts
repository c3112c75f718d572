/**
 * Ends a session: the recap is written with the assistant's summary prompt over the whole
 * thread, then stored (encrypted) with the session marked ended and `session.ended` recorded.
 * Then the transcript's archive starts, in a workflow of its own that outlives this one (see
 * archive-session.ts). Idempotent: ending an ended session returns its recap.
 */
import type { EndSessionInput, EndSessionResult } from '@lab/contracts';
import { conversation, llm, sessions } from './activities';
import { startArchive } from './archive-session';

export async function endSession(input: EndSessionInput): Promise<EndSessionResult> {
  const store = sessions(input.sessionsTaskQueue);
  const context = await store.loadEndContext({
    sessionId: input.sessionId,
    requestId: input.requestId,
  });
  if (context.alreadyEnded) return context.alreadyEnded;
  const request = await conversation.buildRecapRequest({
    assistant: context.assistant,
    thread: context.thread,
  });
  const recap = await llm.callModel({
    turnId: `${input.requestId}:recap`,
    model: context.assistant.model,
    ...request,
    ...(input.credentialRef ? { credentialRef: input.credentialRef } : {}),
  });
  await store.persistSessionEnd({
    sessionId: input.sessionId,
    requestId: input.requestId,
    recap: recap.text,
    usage: recap.usage,
    model: context.assistant.model.model,
    ...(input.callerKeyId ? { callerKeyId: input.callerKeyId } : {}),
  });
  await startArchive(input.sessionId, input.sessionsTaskQueue);
  return { sessionId: input.sessionId, recap: recap.text, usage: recap.usage };
}
