/**
 * bench/turns: whole chat turns through the sessions service, Temporal and the llm-worker (each
 * its own process) against the mock LLM with a fixed latency, at several numbers of concurrent
 * sessions, beside a baseline measured in the same run (the same LLM call and the same
 * transaction, direct). Prints turns/s and overhead percentiles (turn time minus the mock's
 * latency) for both, CPU per turn by process, a breakdown of the workflow path's overhead read
 * from the session workflows' histories, chat completions through the gateway with a 0 ms
 * model, the services' idle and loaded memory, and the turn engine's targets, PASS or FAIL.
 *
 *   eval "$(scripts/infra/infra env)" && npx tsc -b && node bench/dist/turns/main.js --help
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { baselinePath } from './baseline';
import { type Breakdown, pick, summarise, traceTurn } from './breakdown';
import { type CompletionsResult, runCompletions } from './completions';
import { type Footprint, footprint } from './footprint';
import { BENCH_PROCESS, nameProcesses, type RunResult, runLevel } from './load';
import { parseOptions, USAGE, UsageError, type BenchOptions } from './options';
import { sessionsPool, startPlatform } from './platform';
import { fixed, signed, type Summary, summariseRun, table } from './report';
import { servicePath } from './service-path';
import { judge, type Verdict } from './targets';

interface LevelResult {
  concurrency: number;
  workflow: Summary;
  baseline: Summary;
  breakdown: Breakdown;
  errors: string[];
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<undefined>((done) => {
      timer = setTimeout(() => {
        progress(`${what} took longer than ${ms} ms; leaving it`);
        done(undefined);
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** What prettier would write: the repository's format check covers git-ignored files too. */
async function formatted(file: string, json: string): Promise<string> {
  try {
    const prettier = await import('prettier');
    const config = await prettier.resolveConfig(file);
    return await prettier.format(json, { ...config, filepath: file });
  } catch {
    return json; // prettier is a development dependency: without it, plain JSON
  }
}

function printResults(options: BenchOptions, levels: LevelResult[]): void {
  const rows: string[][] = [];
  const resources = (s: Summary) => [
    fixed(s.resources.processCores, 2),
    s.resources.hostBusy === null ? '-' : `${Math.round(s.resources.hostBusy * 100)}%`,
    fixed(s.resources.loopDelayP99Ms),
  ];
  for (const level of levels) {
    const { workflow: w, baseline: b } = level;
    const stats = (s: Summary) => [
      String(s.turns),
      String(s.errors),
      fixed(s.turnsPerSecond, 2),
      fixed(s.overhead.p50),
      fixed(s.overhead.p95),
      fixed(s.overhead.p99),
      fixed(s.overhead.max),
    ];
    rows.push([String(level.concurrency), 'workflow', ...stats(w), ...resources(w)]);
    rows.push(['', 'baseline', ...stats(b), ...resources(b)]);
    rows.push([
      '',
      'difference',
      '',
      '',
      signed(w.turnsPerSecond - b.turnsPerSecond, 2),
      signed(w.overhead.p50 - b.overhead.p50),
      signed(w.overhead.p95 - b.overhead.p95),
      signed(w.overhead.p99 - b.overhead.p99),
      signed(w.overhead.max - b.overhead.max),
      '',
      '',
      '',
    ]);
  }
  process.stdout.write(
    `\nOverhead = client-observed turn time - ${options.latencyMs} ms mock latency (ms)\n`,
  );
  process.stdout.write(
    `${table(
      [
        'sessions',
        'path',
        'turns',
        'errors',
        'turns/s',
        'p50',
        'p95',
        'p99',
        'max',
        'node cpu',
        'host cpu',
        'loop p99',
      ],
      rows,
      2,
    )}\n`,
  );
  process.stdout.write(
    '(node cpu: CPU-seconds per second of this process: the client, the baseline and the mock;\n' +
      ' host cpu: all cores busy; loop p99: its event-loop delay, ms)\n',
  );

  const groups = [
    'sessions',
    'llm-worker',
    'assistants',
    'gateway',
    BENCH_PROCESS,
    'temporal server',
    'postgres',
    'redis',
    'other',
  ];
  const cpuRow = (name: string, value: (s: Summary) => number) => [
    name,
    ...levels.flatMap((l) => [fixed(value(l.workflow)), fixed(value(l.baseline))]),
  ];
  const total = (s: Summary) => Object.values(s.cpuMsPerTurn).reduce((a, b) => a + b, 0);
  process.stdout.write(
    '\nCPU ms per turn, host-wide from /proc (other: every other process and the kernel)\n',
  );
  process.stdout.write(
    `${table(
      ['', ...levels.flatMap((l) => [`${l.concurrency} workflow`, `${l.concurrency} baseline`])],
      [...groups.map((g) => cpuRow(g, (s) => s.cpuMsPerTurn[g] ?? 0)), cpuRow('total', total)],
    )}\n`,
  );

  const traced = levels.filter((l) => l.breakdown.turns > 0);
  if (traced.length === 0) return;
  const headers = ['', ...traced.map((l) => `${l.concurrency} sess.`)];
  const segmentNames: string[] = [];
  for (const level of traced)
    for (const s of level.breakdown.segments)
      if (!segmentNames.includes(s.segment)) segmentNames.push(s.segment);
  const cell = (level: LevelResult, name: string) => {
    const s = level.breakdown.segments.find((x) => x.segment === name);
    if (!s) return '-';
    return s.turns === level.breakdown.turns ? fixed(s.avgMs) : `${fixed(s.avgMs)} (${s.turns})`;
  };
  process.stdout.write(
    `\nWorkflow path, average ms between consecutive events (${traced
      .map((l) => `${l.breakdown.turns} turns at ${l.concurrency}`)
      .join(', ')}; server event times, client send/receive)\n`,
  );
  process.stdout.write(
    `${table(
      headers,
      segmentNames.map((name) => [name, ...traced.map((l) => cell(l, name))]),
    )}\n`,
  );

  const groupNames: string[] = [];
  for (const level of traced)
    for (const g of level.breakdown.groups)
      if (!groupNames.includes(g.group)) groupNames.push(g.group);
  const groupRows = groupNames.map((name) => [
    name,
    ...traced.map((l) => fixed(l.breakdown.groups.find((g) => g.group === name)?.avgMs ?? 0)),
  ]);
  groupRows.push([
    'total = average overhead of the traced turns',
    ...traced.map((l) => fixed(l.breakdown.avgOverheadMs)),
  ]);
  process.stdout.write('\nWorkflow path overhead by kind, average ms per turn\n');
  process.stdout.write(`${table(headers, groupRows)}\n`);
}

function printFootprint(idle: Footprint, loaded: Footprint): void {
  const names = Object.keys(idle.rssMiB);
  process.stdout.write(
    '\nMemory of the services, MiB (VmRSS idle after start-up; after the load; peak)\n',
  );
  process.stdout.write(
    `${table(
      ['service', 'idle', 'after load', 'peak'],
      names.map((name) => [
        name,
        fixed(idle.rssMiB[name] ?? Number.NaN),
        fixed(loaded.rssMiB[name] ?? Number.NaN),
        fixed(loaded.peakMiB[name] ?? Number.NaN),
      ]),
    )}\n`,
  );
}

function printCompletions(result: CompletionsResult): void {
  process.stdout.write(
    `\nPOST /v1/chat/completions, 0 ms model, ${result.requests} sequential requests (ms)\n`,
  );
  process.stdout.write(
    `${table(
      ['path', 'p50', 'p95', 'p99'],
      [
        [
          'through the gateway',
          ...[result.gateway.p50, result.gateway.p95, result.gateway.p99].map((v) => fixed(v)),
        ],
        [
          'the mock, straight',
          ...[result.baseline.p50, result.baseline.p95, result.baseline.p99].map((v) => fixed(v)),
        ],
      ],
    )}\n`,
  );
}

function printVerdicts(verdicts: Verdict[]): void {
  process.stdout.write('\nTargets\n');
  process.stdout.write(
    `${table(
      ['target', 'measured', 'result'],
      verdicts.map((v) => [v.target, v.measured, v.pass === null ? '-' : v.pass ? 'PASS' : 'FAIL']),
      2,
    )}\n`,
  );
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const options = parsed;
  const abort = new AbortController();
  const stop = () => {
    if (abort.signal.aborted) return;
    progress('stopping: no new turns; cleaning up');
    abort.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const startedAt = new Date();
  const startLoad = loadavg();
  process.stdout.write(
    `bench/turns ${startedAt.toISOString()}: mock latency ${options.latencyMs} ms, sessions ${options.concurrency.join(
      '/',
    )}, ${options.turns} turns per session (at least ${options.minTurns} per level), ` +
      `${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, Temporal ${process.env.TEMPORAL_ADDRESS ?? '?'}\n`,
  );
  progress('starting the mock LLM and the four services as processes...');
  const platform = await startPlatform({ latencyMs: options.latencyMs });
  nameProcesses(platform.e2e.pids());
  progress(`letting them settle ${options.settleSeconds} s, then reading their memory...`);
  await new Promise((resolve) => setTimeout(resolve, options.settleSeconds * 1000));
  const idle = footprint(platform.e2e.pids());
  let loaded: Footprint | null = null;
  let completions: CompletionsResult | null = null;
  let verdicts: Verdict[] = [];
  // The Nest apps' shutdown hooks would close them under running turns and re-raise the signal
  // (killing the process before its schemas are dropped): the bench owns the signals.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, stop);
  }
  const pool = sessionsPool(platform);
  const levels: LevelResult[] = [];
  try {
    const run = `b${Date.now().toString(36)}`;
    const service = servicePath(platform, run);
    const baseline = baselinePath(platform, pool);
    const check = (what: string, result: RunResult) => {
      if (result.errors.length > 0)
        progress(`  ${what} errors: ${result.errors.slice(0, 3).join(' | ')}`);
    };

    if (options.warmup > 0) {
      const concurrency = Math.min(5, Math.max(...options.concurrency));
      const warm = {
        name: 'warm-up',
        concurrency,
        turns: Math.ceil(options.warmup / concurrency),
        minTurns: options.warmup,
        maxSeconds: 120,
      };
      progress(`warming up (${options.warmup} turns per path)...`);
      check('warm-up workflow', await runLevel(service, warm, abort.signal, progress));
      check('warm-up baseline', await runLevel(baseline, warm, abort.signal, progress));
    }

    for (const concurrency of options.concurrency) {
      if (abort.signal.aborted) break;
      const level = {
        concurrency,
        turns: options.turns,
        minTurns: options.minTurns,
        maxSeconds: options.maxSeconds,
      };
      progress(`${concurrency} sessions: workflow path...`);
      const workflow = await runLevel(
        service,
        { ...level, name: `c${concurrency}` },
        abort.signal,
        progress,
      );
      check('workflow', workflow);
      const timelines = [];
      for (const sample of pick(workflow.samples, options.history)) {
        try {
          timelines.push(await traceTurn(platform.temporal, sample));
        } catch (error) {
          progress(
            `  history of ${sample.ref?.workflowId}#${sample.ref?.updateId}: ${String(error)}`,
          );
        }
      }
      progress(`${concurrency} sessions: baseline...`);
      const base = await runLevel(
        baseline,
        { ...level, name: `c${concurrency}-baseline` },
        abort.signal,
        progress,
      );
      check('baseline', base);
      levels.push({
        concurrency,
        workflow: summariseRun(workflow, options.latencyMs),
        baseline: summariseRun(base, options.latencyMs),
        breakdown: summarise(timelines, options.latencyMs),
        errors: [...workflow.errors, ...base.errors],
      });
    }

    loaded = footprint(platform.e2e.pids());
    if (options.completions > 0 && !abort.signal.aborted) {
      progress(`chat completions through the gateway, 0 ms model (${options.completions})...`);
      completions = await runCompletions(platform, options.completions);
      if (completions.errors.length > 0)
        progress(`  completions errors: ${completions.errors.slice(0, 3).join(' | ')}`);
    }
    printResults(options, levels);
    printFootprint(idle, loaded);
    if (completions) printCompletions(completions);
    verdicts = judge(levels, completions, idle);
    printVerdicts(verdicts);
    if (options.json) {
      const dir = resolve(__dirname, '../../results');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `turns-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
      writeFileSync(
        file,
        await formatted(
          file,
          `${JSON.stringify(
            {
              startedAt: startedAt.toISOString(),
              cpus: availableParallelism(),
              cpuModel: cpus()[0]?.model,
              node: process.version,
              loadAverageAtStart: startLoad,
              temporalAddress: process.env.TEMPORAL_ADDRESS,
              options,
              levels,
              footprint: { idle, loaded },
              completions,
              verdicts,
            },
            null,
            2,
          )}\n`,
        ),
      );
      process.stdout.write(`\nwritten: ${file}\n`);
    }
  } finally {
    progress('cleaning up (workers, apps, schemas)...');
    await withTimeout(pool.end(), 10_000, 'closing the baseline pool');
    await withTimeout(platform.close(), 60_000, 'closing the platform');
  }
  return abort.signal.aborted ? 130 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench/turns: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
