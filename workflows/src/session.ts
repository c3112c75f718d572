/**
 * One workflow per chat session (id `session:<sessionId>`), for the session's whole life: the
 * entity-workflow pattern. Started by the session's first request with Update-With-Start, it
 * holds the pinned assistant and the thread (both sealed: workflow code never sees text) and
 * serves two Updates:
 * - `turn` (update id = the client's Idempotency-Key, so a repeated request is answered from the
 *   first execution): exchange with the model on the llm-worker, summarise when the plan says
 *   so, then persist both messages, the thread, the counts and `turn.completed` in one
 *   transaction (a local activity). The opening turn of a new session also creates its row.
 *   A response chain (stored Responses API exchanges) opens with the user's first message
 *   instead of the assistant's opening one; its turns bring their options and the response
 *   record persisted with them.
 *   One turn at a time: the validator refuses a second while one runs, and any turn once the
 *   session has ended. A failed turn leaves the workflow ready for the next one.
 * - `end`: the recap with the summary prompt, persisted with `session.ended`; then the workflow
 *   starts the archive and completes.
 * An idle timer ends an abandoned session; Continue-As-New keeps the history short.
 * Changes to this code must keep replaying running sessions: use `patched()` (workflows/README).
 */
import {
  type EndOutcome,
  type SessionWorkflowInput,
  type SessionWorkflowResult,
  TURN_ERRORS,
  type TurnOutcome,
  type TurnRequest,
  type Usage,
} from '@lab/contracts';
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { llm, store } from './activities';
import { startArchive } from './archive-session';
import { endUpdate, turnUpdate } from './definitions';
import { failureType, turnFailure } from './failures';

/** Outcomes kept for repeats across Continue-As-New (older ones are answered from the database). */
const RECENT_TURNS = 20;
/** Continue-As-New past this many history events or bytes, when the server does not ask sooner. */
const MAX_HISTORY_EVENTS = 2_000;
const MAX_HISTORY_BYTES = 4 * 1024 * 1024;

const refuse = (type: string, message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });

export const addUsage = (a: Usage, b: Usage): Usage => ({
  promptTokens: a.promptTokens + b.promptTokens,
  completionTokens: a.completionTokens + b.completionTokens,
});

export async function sessionWorkflow(input: SessionWorkflowInput): Promise<SessionWorkflowResult> {
  const { sessionId } = input;
  const models = llm(input.chatTurnsTaskQueue);
  let thread = input.thread;
  let stored = input.stored;
  const recent = new Map((input.recent ?? []).map((outcome) => [outcome.turnId, outcome]));
  /** The turn being answered, if any. */
  let busy: string | null = null;
  /** An end (by the user, or idle) is under way: no turn may start. */
  let ending = false;
  let ended: SessionWorkflowResult['reason'] | null = null;
  let endOutcome: EndOutcome | null = null;
  /** Bumped whenever a request was served: the idle timer starts over. */
  let touched = 0;
  const endedAs = () => ended;

  const remember = (outcome: TurnOutcome) => {
    recent.set(outcome.turnId, outcome);
    for (const turnId of recent.keys()) {
      if (recent.size <= RECENT_TURNS) break;
      recent.delete(turnId);
    }
  };

  setHandler(
    turnUpdate,
    async (request): Promise<TurnOutcome> => {
      const repeated = recent.get(request.turnId);
      if (repeated) return repeated;
      busy = request.turnId;
      try {
        const key = { scope: sessionId, keyRef: request.keyRef };
        const credential = request.credentialRef ? { credentialRef: request.credentialRef } : {};
        const exchanged = await models.exchange({
          ...key,
          ...credential,
          turnId: request.turnId,
          assistant: input.assistant,
          thread,
          userMessage: request.userMessage,
          attachments: request.attachments ?? null,
          returnFiles: true,
          ...(request.options ? { options: request.options } : {}),
          ...(request.streamChannel ? { streamChannel: request.streamChannel } : {}),
        });
        let next = exchanged.thread;
        let usage = exchanged.usage;
        if (exchanged.condensed === 'summarise') {
          const summary = await models.summarise({
            ...key,
            ...credential,
            turnId: request.turnId,
            assistant: input.assistant,
            thread: exchanged.thread,
          });
          next = summary.thread;
          usage = addUsage(usage, summary.usage);
        }
        await store.persistTurn({
          sessionId,
          turnId: request.turnId,
          requestHash: request.requestHash,
          ...(stored
            ? {}
            : {
                create: {
                  userId: input.userId,
                  assistantId: input.assistantId,
                  promptVersionId: input.promptVersionId,
                  modelConfigVersionId: input.modelConfigVersionId,
                  ...(input.dataKeyId ? { dataKeyId: input.dataKeyId } : {}),
                },
              }),
          userMessage: request.userMessage,
          reply: exchanged.reply,
          thread: next,
          usage,
          model: exchanged.model,
          guardHit: exchanged.guardHit,
          latencyMs: exchanged.latencyMs,
          condensed: exchanged.condensed,
          ...(exchanged.files?.length ? { files: exchanged.files } : {}),
          ...(request.callerKeyId ? { callerKeyId: request.callerKeyId } : {}),
          ...(request.response
            ? {
                response: {
                  ...request.response,
                  ...(exchanged.finishReason ? { finishReason: exchanged.finishReason } : {}),
                },
              }
            : {}),
        });
        thread = next;
        stored = true;
        const outcome: TurnOutcome = {
          turnId: request.turnId,
          requestHash: request.requestHash,
          reply: exchanged.reply,
          guardHit: exchanged.guardHit,
          usage,
          model: exchanged.model,
          condensed: exchanged.condensed,
        };
        remember(outcome);
        return outcome;
      } catch (error) {
        // A failed opening leaves no session behind: this workflow has nothing left to serve.
        if (!stored) ended = 'not_started';
        else if (failureType(error) === TURN_ERRORS.sessionClosed) ended = 'closed';
        throw turnFailure(error, request.requestHash);
      } finally {
        busy = null;
        touched += 1;
      }
    },
    {
      validator: (request: TurnRequest) => {
        if (ended !== null || ending)
          throw refuse(TURN_ERRORS.sessionClosed, 'the session has ended');
        if (busy !== null)
          throw refuse(TURN_ERRORS.turnInProgress, 'the session is answering another message');
        // A session opens with the assistant's message; a response chain with the user's.
        if (!stored && (request.userMessage === null) === (input.responseChain === true))
          throw refuse(TURN_ERRORS.sessionClosed, 'the session has not started');
      },
    },
  );

  setHandler(
    endUpdate,
    async (request): Promise<EndOutcome> => {
      if (endOutcome) return endOutcome;
      ending = true;
      try {
        const recap = await models.recap({
          scope: sessionId,
          keyRef: request.keyRef,
          requestId: request.requestId,
          assistant: input.assistant,
          thread,
          ...(request.credentialRef ? { credentialRef: request.credentialRef } : {}),
        });
        await store.persistSessionEnd({
          sessionId,
          requestId: request.requestId,
          recap: recap.recap,
          usage: recap.usage,
          model: recap.model,
          ...(request.callerKeyId ? { callerKeyId: request.callerKeyId } : {}),
        });
        endOutcome = { sessionId, recap: recap.recap, usage: recap.usage };
        ended = 'ended';
        return endOutcome;
      } catch (error) {
        if (failureType(error) === TURN_ERRORS.sessionClosed) ended = 'closed';
        throw turnFailure(error, request.requestId);
      } finally {
        ending = false;
        touched += 1;
      }
    },
    {
      validator: (_request) => {
        if (endOutcome) return;
        if (ended !== null) throw refuse(TURN_ERRORS.sessionClosed, 'the session has ended');
        if (busy !== null || ending)
          throw refuse(TURN_ERRORS.turnInProgress, 'the session is answering a message');
        if (!stored) throw refuse(TURN_ERRORS.sessionClosed, 'the session has not started');
      },
    },
  );

  const idleMs = input.idleMinutes * 60_000;
  while (ended === null) {
    const seen = touched;
    const stirred = await condition(
      () => ended !== null || busy !== null || ending || touched !== seen,
      idleMs,
    );
    if (ended !== null) break;
    if (busy !== null || ending) {
      await condition(() => ended !== null || (busy === null && !ending));
      continue;
    }
    if (!stirred) {
      if (!stored) {
        ended = 'not_started';
        break;
      }
      ending = true;
      const idle = await store.endIdleSession({ sessionId, idleMinutes: input.idleMinutes });
      ending = false;
      if (idle.ended) ended = 'idle';
      else if (!idle.active) ended = 'closed'; // ended meanwhile (the sweep, another path)
      continue;
    }
    const info = workflowInfo();
    if (
      info.continueAsNewSuggested ||
      info.historyLength > MAX_HISTORY_EVENTS ||
      info.historySize > MAX_HISTORY_BYTES
    ) {
      await condition(allHandlersFinished);
      if (busy === null && !ending && ended === null) {
        return continueAsNew<typeof sessionWorkflow>({
          ...input,
          thread,
          stored,
          recent: [...recent.values()],
        });
      }
    }
  }
  await condition(allHandlersFinished);
  // Read through a function: the handlers set it, which the compiler's narrowing cannot see.
  const reason = endedAs() ?? 'closed';
  if (reason === 'ended' || reason === 'idle') await startArchive(sessionId);
  return { sessionId, reason };
}
