/**
 * A turn of the lab's test chat with a draft assistant: the same exchange as a chat turn, with
 * nothing persisted (lab messages are never stored). The caller keeps the thread between turns.
 */
import type { LabTurnInput, LabTurnResult } from '@lab/contracts';
import { exchange } from './turn';

export async function labTurn(input: LabTurnInput): Promise<LabTurnResult> {
  const result = await exchange(input);
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
