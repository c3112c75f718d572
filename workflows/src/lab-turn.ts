/**
 * A turn of the lab's test chat with a draft assistant: the same exchange as a chat turn, with
 * nothing persisted (lab messages are never stored). The caller keeps the thread between turns.
 * Also runs the OpenAI-compatible completions. Its usage (never text) is recorded as an event.
 */
import type { LabTurnInput, LabTurnResult } from '@lab/contracts';
import { workflowInfo } from '@temporalio/workflow';
import { sessions } from './activities';
import { exchange } from './turn';

export async function labTurn(input: LabTurnInput): Promise<LabTurnResult> {
  const result = await exchange(input);
  // Nothing is stored, but the call cost: its usage is recorded once, keyed by this workflow's
  // id (a retried activity or a repeated request adds nothing). Inputs from before usage was
  // recorded carry no `usage` and schedule nothing, so their histories replay unchanged.
  if (input.usage) {
    await sessions(input.usage.sessionsTaskQueue).recordUsage({
      ...input.usage,
      eventKey: workflowInfo().workflowId,
      turnId: input.turnId,
      assistantId: input.assistant.assistantId,
      model: input.assistant.model.model,
      usage: result.usage,
      guardHit: result.guardHit,
    });
  }
  return {
    turnId: input.turnId,
    reply: result.reply,
    guardHit: result.guardHit,
    usage: result.usage,
    model: input.assistant.model.model,
    condensed: result.condensed,
    thread: result.thread,
  };
}
