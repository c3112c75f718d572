/**
 * The session workflow's Updates, shared by the workflow and the sessions service's client:
 * `turn` (update id = the turn id, the client's Idempotency-Key) and `end`.
 */
import type { EndOutcome, EndRequest, TurnOutcome, TurnRequest } from '@lab/contracts';
import { defineUpdate } from '@temporalio/workflow';

export const turnUpdate = defineUpdate<TurnOutcome, [TurnRequest]>('turn');
export const endUpdate = defineUpdate<EndOutcome, [EndRequest]>('end');
