/**
 * The turn engine's targets (docs/decisions/0014-turn-engine-v2.md), judged on this run's own
 * figures, each as a ratio or a difference against the baseline measured beside it.
 */
import type { CompletionsResult } from './completions';
import type { Footprint } from './footprint';
import type { Summary } from './report';
import { fixed } from './report';

export interface LevelFigures {
  concurrency: number;
  workflow: Summary;
  baseline: Summary;
}

export interface Verdict {
  target: string;
  measured: string;
  pass: boolean | null;
}

const cpuPerTurn = (s: Summary) => Object.values(s.cpuMsPerTurn).reduce((a, b) => a + b, 0);

export const IDLE_RSS_LIMIT_MIB = 150;

export function judge(
  levels: LevelFigures[],
  completions: CompletionsResult | null,
  idle: Footprint | null,
): Verdict[] {
  const at = (n: number) => levels.find((l) => l.concurrency === n);
  const verdicts: Verdict[] = [];
  const one = at(1);
  verdicts.push(
    one
      ? {
          target: '1 session: workflow p50 overhead <= baseline p50 + 25 ms',
          measured: `${fixed(one.workflow.overhead.p50)} vs ${fixed(one.baseline.overhead.p50)} + 25 ms`,
          pass: one.workflow.overhead.p50 <= one.baseline.overhead.p50 + 25,
        }
      : { target: '1 session: p50 overhead', measured: 'not run (--concurrency)', pass: null },
  );
  const fifty = at(50);
  if (fifty) {
    const ratio = fifty.workflow.turnsPerSecond / fifty.baseline.turnsPerSecond;
    verdicts.push({
      target: '50 sessions: workflow turns/s >= 0.30 x baseline turns/s',
      measured: `${fixed(fifty.workflow.turnsPerSecond, 2)} / ${fixed(fifty.baseline.turnsPerSecond, 2)} = ${fixed(ratio, 2)}x`,
      pass: ratio >= 0.3,
    });
    const p99 = fifty.workflow.overhead.p99 / fifty.baseline.overhead.p99;
    verdicts.push({
      target: '50 sessions: workflow p99 overhead <= 10 x baseline p99',
      measured: `${fixed(fifty.workflow.overhead.p99)} / ${fixed(fifty.baseline.overhead.p99)} = ${fixed(p99, 1)}x`,
      pass: p99 <= 10,
    });
    const cpu = cpuPerTurn(fifty.workflow) / cpuPerTurn(fifty.baseline);
    verdicts.push({
      target: '50 sessions: CPU per turn, all processes, <= 5 x baseline',
      measured: `${fixed(cpuPerTurn(fifty.workflow))} / ${fixed(cpuPerTurn(fifty.baseline))} ms = ${fixed(cpu, 1)}x`,
      pass: cpu <= 5,
    });
  } else {
    verdicts.push({ target: '50 sessions', measured: 'not run (--concurrency)', pass: null });
  }
  verdicts.push(
    completions
      ? {
          target: '/v1/chat/completions through the gateway, 0 ms model: p50 <= 40 ms',
          measured: `${fixed(completions.gateway.p50)} ms (the mock straight: ${fixed(completions.baseline.p50)} ms)`,
          pass: completions.gateway.p50 <= 40,
        }
      : { target: '/v1/chat/completions p50', measured: 'not run', pass: null },
  );
  if (idle) {
    for (const [service, mib] of Object.entries(idle.rssMiB)) {
      verdicts.push({
        target: `${service}: idle RSS <= ${IDLE_RSS_LIMIT_MIB} MiB`,
        measured: `${fixed(mib)} MiB`,
        pass: mib <= IDLE_RSS_LIMIT_MIB,
      });
    }
  }
  return verdicts;
}
