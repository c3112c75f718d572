/**
 * The sessions service's turn metrics, on its `/metrics` (prom-client's default registry):
 *
 * - `turn_duration_seconds{workflow,outcome,stream}`: a turn as the client waits for it (the
 *   Update or the exchange workflow, to its outcome), `workflow` = `turn` | `end` (Updates of a
 *   session workflow) | `lab` | `completion` (exchange workflows), `outcome` = `ok` or the API
 *   error code (`llm_unavailable`, `turn_pending`, ...; `internal` for anything else),
 *   `stream` = `yes` | `no`;
 * - `turns_total{workflow,outcome}`: the same turns, counted;
 * - `workflow_failures_total{workflow,type}`: turns that failed in Temporal (an Update or an
 *   exchange workflow), by their failure type (`LlmUnavailable`, `TurnInProgress`, ...;
 *   `unknown` without one);
 * - `turn_tokens_total{kind=prompt|completion}` and `turn_guard_hits_total`: what `persistTurn`
 *   stored (once per turn, not per retried activity).
 */
import { ApiException } from '@lab/platform/http';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { Counter, Histogram, type Metric, register } from 'prom-client';

function once<T extends Metric>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

const turnDuration = once(
  'turn_duration_seconds',
  () =>
    new Histogram({
      name: 'turn_duration_seconds',
      help: 'Turns as the client waits for them, by workflow, outcome (ok or API error code) and stream',
      labelNames: ['workflow', 'outcome', 'stream'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 45, 90, 180],
    }),
);

const turns = once(
  'turns_total',
  () =>
    new Counter({
      name: 'turns_total',
      help: 'Turns by workflow and outcome (ok or API error code)',
      labelNames: ['workflow', 'outcome'],
    }),
);

const workflowFailures = once(
  'workflow_failures_total',
  () =>
    new Counter({
      name: 'workflow_failures_total',
      help: 'Turns failed in Temporal (Updates, exchange workflows) by workflow and failure type',
      labelNames: ['workflow', 'type'],
    }),
);

const turnTokens = once(
  'turn_tokens_total',
  () =>
    new Counter({
      name: 'turn_tokens_total',
      help: 'Tokens of the persisted turns, by kind (prompt, completion)',
      labelNames: ['kind'],
    }),
);

const turnGuardHits = once(
  'turn_guard_hits_total',
  () =>
    new Counter({
      name: 'turn_guard_hits_total',
      help: 'Persisted turns whose reply the prompt-leak guard replaced',
    }),
);

/** The outcome label of a turn that threw: the API error code, else `internal`. */
export function outcomeOf(error: unknown): string {
  return error instanceof ApiException ? error.code : 'internal';
}

/** The failure type of a failed turn: its innermost ApplicationFailure's type. */
export function failureTypeOf(error: WorkflowFailedError | WorkflowUpdateFailedError): string {
  let cause: unknown = error.cause;
  while (cause && !(cause instanceof ApplicationFailure) && (cause as { cause?: unknown }).cause) {
    cause = (cause as { cause?: unknown }).cause;
  }
  return (cause instanceof ApplicationFailure ? cause.type : undefined) ?? 'unknown';
}

/** Counts a turn that failed in Temporal (anything else thrown is not a workflow failure). */
export function recordWorkflowFailure(workflow: string, error: unknown): void {
  if (error instanceof WorkflowFailedError || error instanceof WorkflowUpdateFailedError)
    workflowFailures.inc({ workflow, type: failureTypeOf(error) });
}

/** Times a turn from now to its answer (or error), by workflow and whether it streams. */
export async function observeTurn<T>(
  workflow: string,
  input: unknown,
  turn: () => Promise<T>,
): Promise<T> {
  const stream =
    typeof (input as { streamChannel?: unknown } | undefined)?.streamChannel === 'string'
      ? 'yes'
      : 'no';
  const started = process.hrtime.bigint();
  const done = (outcome: string) => {
    turnDuration.observe(
      { workflow, outcome, stream },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    turns.inc({ workflow, outcome });
  };
  try {
    const result = await turn();
    done('ok');
    return result;
  } catch (error) {
    done(outcomeOf(error));
    throw error;
  }
}

/** A turn `persistTurn` stored. */
export function recordPersistedTurn(
  usage: { promptTokens: number; completionTokens: number },
  guardHit: boolean,
): void {
  turnTokens.inc({ kind: 'prompt' }, usage.promptTokens);
  turnTokens.inc({ kind: 'completion' }, usage.completionTokens);
  if (guardHit) turnGuardHits.inc();
}
