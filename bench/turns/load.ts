/**
 * Drives one concurrency level of one path: rounds of `concurrency` fresh sessions, each taking
 * `turns` turns one after the other, until `minTurns` were measured. Bounded in count and time.
 * Also samples what the machine was doing meanwhile: this process's CPU (the client, the
 * baseline and the mock LLM), every process's CPU by group (the services, the Temporal server,
 * PostgreSQL, Redis, the rest of the host) and this process's event-loop delay.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export interface TurnSample {
  /** Epoch milliseconds (sub-millisecond precision) when the request was sent. */
  sentAt: number;
  receivedAt: number;
  ms: number;
  ok: boolean;
  /** Where a service-path turn is in Temporal, for its history: the workflow and the Update. */
  ref?: TurnRef;
}

export interface TurnRef {
  workflowId: string;
  /** The turn's Update in the session's workflow (absent: the whole workflow is the turn). */
  updateId?: string;
}

export interface Resources {
  /** CPU seconds of this process per wall second (all its threads: >1 is possible). */
  processCores: number;
  /** Busy share of all the host's CPUs (from /proc/stat), 0..1; null when unavailable. */
  hostBusy: number | null;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** CPU ms used during the turns, by process group (whole host, from /proc). */
  cpuMs: Record<string, number>;
}

export interface RunResult {
  samples: TurnSample[];
  errors: string[];
  /** Wall time spent in turns (session opening excluded). */
  wallMs: number;
  resources: Resources;
}

export interface Path<S> {
  /** Opens a fresh session (not timed). */
  open(index: number): Promise<S>;
  /** One turn; returns where it is in Temporal when it went through it. */
  turn(session: S, content: string, label: string): Promise<TurnRef | undefined>;
}

export const epochNow = () => performance.timeOrigin + performance.now();

/** CPU ticks (USER_HZ) of the host and of the processes that make up the system under test. */
interface CpuSnapshot {
  busy: number;
  total: number;
  /** pid → [group, ticks]. */
  pids: Map<number, [string, number]>;
}

const CPU_GROUPS: Record<string, string> = {
  temporal: 'temporal server',
  postgres: 'postgres',
  'redis-server': 'redis',
};

/** The group of this process, in the CPU tables. */
export const BENCH_PROCESS = 'bench (client, mock, baseline)';

/** Named processes (the services, by pid); others by command name, the rest `other`. */
let namedProcesses = new Map<number, string>();
export function nameProcesses(pids: Record<string, number>): void {
  namedProcesses = new Map(Object.entries(pids).map(([name, pid]) => [pid, name]));
}

function cpuSnapshot(): CpuSnapshot | null {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1, 9)
      .map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.reduce((a, b) => a + b, 0);
    const pids = new Map<number, [string, number]>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const rest = stat.slice(close + 2).split(' ');
      const ticks = Number(rest[11] ?? 0) + Number(rest[12] ?? 0);
      const group =
        pid === process.pid
          ? BENCH_PROCESS
          : (namedProcesses.get(pid) ?? CPU_GROUPS[comm] ?? 'other');
      if (group !== 'other') pids.set(pid, [group, ticks]);
    }
    return { busy: total - idle, total, pids };
  } catch {
    return null; // not Linux
  }
}

/** CPU ms per group between two snapshots; `other` is the rest of the host's busy time. */
function cpuBetween(before: CpuSnapshot, after: CpuSnapshot, into: Map<string, number>): void {
  const tickMs = 10; // USER_HZ is 100 on Linux
  let known = 0;
  for (const [pid, [group, ticks]] of after.pids) {
    const delta = ticks - (before.pids.get(pid)?.[1] ?? 0);
    known += delta;
    into.set(group, (into.get(group) ?? 0) + delta * tickMs);
  }
  into.set('other', (into.get('other') ?? 0) + (after.busy - before.busy - known) * tickMs);
}

/** Messages of the same size on both paths. */
export const turnContent = (session: number, turn: number) =>
  `Bench session ${session}, turn ${turn}: what should I try next to stay focused this week?`;

export async function runLevel<S>(
  path: Path<S>,
  level: { name: string; concurrency: number; turns: number; minTurns: number; maxSeconds: number },
  signal: AbortSignal,
  progress: (line: string) => void,
): Promise<RunResult> {
  const samples: TurnSample[] = [];
  const errors: string[] = [];
  const rounds = Math.max(1, Math.ceil(level.minTurns / (level.concurrency * level.turns)));
  const deadline = performance.now() + level.maxSeconds * 1000;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  let wallMs = 0;
  let cpuMicros = 0;
  let busyTicks = 0;
  let totalTicks = 0;
  const cpuMs = new Map<string, number>();
  for (let round = 0; round < rounds && !signal.aborted && performance.now() < deadline; round++) {
    const sessions = await Promise.all(
      Array.from({ length: level.concurrency }, (_, i) => path.open(round * level.concurrency + i)),
    );
    const cpu = process.cpuUsage();
    const before = cpuSnapshot();
    const started = performance.now();
    loop.enable();
    await Promise.all(
      sessions.map(async (session, i) => {
        for (let t = 0; t < level.turns; t++) {
          if (signal.aborted || performance.now() >= deadline) return;
          const label = `${level.name}-r${round}-s${i}-t${t}`;
          const sentAt = epochNow();
          try {
            const ref = await path.turn(session, turnContent(i, t), label);
            const receivedAt = epochNow();
            samples.push({ sentAt, receivedAt, ms: receivedAt - sentAt, ok: true, ref });
          } catch (error) {
            const receivedAt = epochNow();
            samples.push({ sentAt, receivedAt, ms: receivedAt - sentAt, ok: false });
            if (errors.length < 20)
              errors.push(error instanceof Error ? error.message : String(error));
          }
        }
      }),
    );
    loop.disable();
    wallMs += performance.now() - started;
    const used = process.cpuUsage(cpu);
    cpuMicros += used.user + used.system;
    const after = cpuSnapshot();
    if (before && after) {
      busyTicks += after.busy - before.busy;
      totalTicks += after.total - before.total;
      cpuBetween(before, after, cpuMs);
    }
    progress(`  ${level.name}: round ${round + 1}/${rounds}, ${samples.length} turns`);
  }
  return {
    samples,
    errors,
    wallMs,
    resources: {
      processCores: wallMs > 0 ? cpuMicros / 1000 / wallMs : 0,
      hostBusy: totalTicks > 0 ? busyTicks / totalTicks : null,
      loopDelayP99Ms: loop.count > 0 ? loop.percentile(99) / 1e6 : 0,
      loopDelayMaxMs: loop.count > 0 ? loop.max / 1e6 : 0,
      cpuMs: Object.fromEntries(cpuMs),
    },
  };
}
