/** The command line of `bench/turns`: every loop it drives is bounded by these numbers. */

export interface BenchOptions {
  /** The mock LLM's fixed delay before the first byte of every answer. */
  latencyMs: number;
  /** Concurrent sessions per level, each taking one turn at a time. */
  concurrency: number[];
  /** Turns per session (fresh sessions each round, so every level sees the same thread sizes). */
  turns: number;
  /** At least this many turns per level and path: low levels run more rounds of fresh sessions. */
  minTurns: number;
  /** A level's path stops starting turns after this long. */
  maxSeconds: number;
  /** Turns per path before measuring (workflow bundle, JIT, connection pools). */
  warmup: number;
  /** Turns per level whose workflow history is read for the phase breakdown. */
  history: number;
  /** Chat completions sent through the gateway with a 0 ms model (0: not measured). */
  completions: number;
  /** Seconds the services sit idle after start-up before their memory is read. */
  settleSeconds: number;
  /** Write `bench/results/turns-<timestamp>.json`. */
  json: boolean;
}

export const USAGE = `usage: node bench/dist/turns/main.js [options]

  --latency <ms>          mock LLM fixed latency (default 200)
  --concurrency <list>    concurrent sessions per level (default 1,10,50)
  --turns <n>             turns per session (default 10)
  --min-turns <n>         at least this many turns per level and path (default 50)
  --max-seconds <s>       bound per level and path (default 60)
  --warmup <n>            warm-up turns per path (default 20)
  --history <n>           turns per level traced from workflow history (default 20)
  --completions <n>       /v1/chat/completions through the gateway, 0 ms model (default 200; 0: off)
  --settle <s>            idle seconds before the services' memory is read (default 10)
  --no-json               do not write bench/results/turns-<timestamp>.json
  --help
`;

export class UsageError extends Error {}

function integer(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new UsageError(`--${name} must be an integer in [${min}, ${max}], got "${raw}"`);
  return value;
}

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const options: BenchOptions = {
    latencyMs: 200,
    concurrency: [1, 10, 50],
    turns: 10,
    minTurns: 50,
    maxSeconds: 60,
    warmup: 20,
    history: 20,
    completions: 200,
    settleSeconds: 10,
    json: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--no-json') {
      options.json = false;
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`unexpected argument "${arg}"`);
    const name = match[1] ?? '';
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    switch (name) {
      case 'latency':
        options.latencyMs = integer(name, value, 0, 10_000);
        break;
      case 'concurrency':
        options.concurrency = value.split(',').map((v) => integer(name, v.trim(), 1, 200));
        break;
      case 'turns':
        options.turns = integer(name, value, 1, 1_000);
        break;
      case 'min-turns':
        options.minTurns = integer(name, value, 1, 100_000);
        break;
      case 'max-seconds':
        options.maxSeconds = integer(name, value, 1, 3_600);
        break;
      case 'warmup':
        options.warmup = integer(name, value, 0, 1_000);
        break;
      case 'history':
        options.history = integer(name, value, 0, 500);
        break;
      case 'completions':
        options.completions = integer(name, value, 0, 100_000);
        break;
      case 'settle':
        options.settleSeconds = integer(name, value, 0, 600);
        break;
      default:
        throw new UsageError(`unknown option --${name}`);
    }
  }
  return options;
}
