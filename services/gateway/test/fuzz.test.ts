/**
 * The public API fuzzed with schemathesis (issue 13): every operation of the live OpenAPI
 * document, all checks, the stateful phase, three identities, against the whole platform (the
 * e2e harness). Fails on any server error or conformance failure and prints the figures. CI runs
 * a fixed seed within FUZZ_MAX_TIME_SECONDS (180 by default); `scripts/fuzz` a longer run with
 * a random seed, more workers (FUZZ_WORKERS) and a floor on the requests (FUZZ_MIN_REQUESTS).
 */
import { type E2ePlatform, startE2ePlatform } from './support/e2e-platform';
import { formatFigures, fuzz, schemathesis } from './support/fuzz';

const seed = Number(process.env.FUZZ_SEED ?? 20261202);
const maxTimeSeconds = Number(process.env.FUZZ_MAX_TIME_SECONDS ?? 180);
const minRequests = Number(process.env.FUZZ_MIN_REQUESTS ?? 0);
const workers = Number(process.env.FUZZ_WORKERS ?? 2);

describe('the public API under schemathesis', () => {
  let p: E2ePlatform;

  beforeAll(async () => {
    schemathesis(); // installs it once, outside the platform's start-up bound
    p = await startE2ePlatform('gateway_fuzz', {
      // The fuzzer is one client making thousands of requests: limits would only answer 429.
      rateLimitBurst: 1_000_000,
      rateLimitPerSecond: 100_000,
      gatewayEnv: { SIGN_IN_FAILURES_BURST: '1000000' },
      logLevel: 'warn',
      keepLogs: false,
    });
  }, 600_000);

  afterAll(async () => {
    // Also fails the suite if a platform secret ever reached the mock LLM (e2e-platform.ts).
    await p?.close();
  });

  it(
    'answers no 5xx and no conformance failure on any operation, for every identity',
    async () => {
      const figures = await fuzz(p, { seed, maxTimeSeconds, workers });
      process.stdout.write(`${formatFigures(figures)}\n`);
      // Every operation of the live document is fuzzed by some identity.
      expect(figures.testedOperations).toBe(figures.documentOperations);
      const selected = figures.runs.reduce((sum, run) => sum + run.operations.selected, 0);
      expect(selected).toBeGreaterThanOrEqual(figures.documentOperations);
      expect(figures.requests['5xx'] ?? 0).toBe(0);
      expect(figures.runs.flatMap((run) => run.failures)).toEqual([]);
      expect(figures.runs.flatMap((run) => run.errors)).toEqual([]);
      const answered = Object.values(figures.requests).reduce((sum, n) => sum + n, 0);
      expect(answered).toBeGreaterThanOrEqual(minRequests);
    },
    (maxTimeSeconds + 300) * 1000,
  );
});
