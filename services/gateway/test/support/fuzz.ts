/**
 * Fuzzing the public API with schemathesis (from PyPI, in a venv of its own that
 * scripts/lib/fuzz-venv.sh makes once under .infra/) against a running platform of the e2e
 * harness: every operation of the live /openapi.json, all checks, the stateful phase, one run
 * per identity (a bring-your-own-key user, a platform API key's system, the admin for the admin
 * and ops routes). The allowances are in services/gateway/test/fuzz/schemathesis.toml, each
 * with its reason. The figures: requests the gateway answered (its own request metric), by
 * status class, and schemathesis' failures by check.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { E2ePlatform } from './e2e-platform';
import { openAiKey } from './e2e-platform';

/** The repository: up from here (its sources under test/, or built under dist/test/). */
const ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'services', 'gateway', 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no repository above ${__dirname}`);
    dir = up;
  }
  return dir;
})();
const CONFIG = join(ROOT, 'services', 'gateway', 'test', 'fuzz', 'schemathesis.toml');

export interface FuzzIdentity {
  name: string;
  credential: string;
  /** Regular expression of the paths this identity fuzzes. */
  paths: string;
  /** Its share of the time budget. */
  share: number;
}

export interface FuzzRun {
  identity: string;
  exitCode: number;
  operations: { selected: number; tested: number; errored: number };
  testCases: number;
  failures: Array<{ title: string; count: number; operations: string[] }>;
  errors: Array<{ title: string; count: number }>;
  output: string;
  /** Why this identity's run is its second (see `fuzzerCrashedItself`). */
  retried?: string;
}

export interface FuzzFigures {
  seed: number;
  runs: FuzzRun[];
  /** Requests the gateway answered during the runs, by status class (`2xx`, `4xx`, `5xx`). */
  requests: Record<string, number>;
  /** Operations in the live document / covered by some identity's run. */
  documentOperations: number;
  testedOperations: number;
}

/** The schemathesis command, installing it on first use. */
export function schemathesis(): string {
  return execFileSync(join(ROOT, 'scripts', 'lib', 'fuzz-venv.sh'), { encoding: 'utf8' }).trim();
}

/** The three callers of the API, made on the platform. */
export async function fuzzIdentities(p: E2ePlatform): Promise<FuzzIdentity[]> {
  const byok = openAiKey();
  if ((await p.call('POST', '/v1/sign-in', byok)).status !== 200) throw new Error('no BYOK user');
  const key = await p.call('POST', '/v1/admin/api-keys', p.adminToken, {
    name: 'fuzz-system',
    scopes: ['assistants:read', 'assistants:write', 'chat'],
  });
  if (key.status !== 201) throw new Error(`no API key: ${key.text}`);
  const rotating = openAiKey();
  if ((await p.call('POST', '/v1/sign-in', rotating)).status !== 200) throw new Error('no user');
  // Everything but the operators' routes and the key rotation (the probes included: they take
  // no credential). A rotation that succeeds retires the caller's key, so it has its own user.
  const userRoutes = '^/(?!v1/admin/|v1/ops/|v1/me/openai-key$)';
  return [
    { name: 'byok user', credential: byok, paths: userRoutes, share: 0.45 },
    { name: 'API-key system', credential: key.body.key as string, paths: userRoutes, share: 0.3 },
    { name: 'admin', credential: p.adminToken, paths: '^/v1/(admin|ops)/', share: 0.2 },
    { name: 'byok rotation', credential: rotating, paths: '^/v1/me/openai-key$', share: 0.05 },
  ];
}

/** Sums `http_request_duration_seconds_count` of the gateway by status class. */
async function answeredRequests(p: E2ePlatform): Promise<Record<string, number>> {
  const text = await (await fetch(`${p.url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(
    /^http_request_duration_seconds_count\{[^}]*status="(\d)\d\d"[^}]*\} (\d+)/gm,
  )) {
    const kind = `${match[1]}xx`;
    counts[kind] = (counts[kind] ?? 0) + Number(match[2]);
  }
  return counts;
}

function runOne(
  st: string,
  p: E2ePlatform,
  identity: FuzzIdentity,
  seed: number,
  maxTimeSeconds: number,
  workers: number,
): Promise<FuzzRun> {
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
  const report = join(dir, 'report.json');
  const args = [
    '--config-file',
    CONFIG,
    'run',
    `${p.url}/openapi.json`,
    '--url',
    p.url,
    '--checks',
    'all',
    '--seed',
    String(seed),
    '--max-time',
    String(Math.max(5, Math.round(maxTimeSeconds))),
    '--workers',
    String(workers),
    '--include-path-regex',
    identity.paths,
    '--header',
    `Authorization: Bearer ${identity.credential}`,
    '--report',
    'json',
    '--report-json-path',
    report,
    '--no-color',
  ];
  return new Promise((resolvePromise, reject) => {
    // In its own directory: schemathesis keeps a cache where it runs.
    const child = spawn(st, args, { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      try {
        const document = JSON.parse(readFileSync(report, 'utf8')) as {
          operations: FuzzRun['operations'] | null;
          test_cases: { generated: number };
          failures: FuzzRun['failures'];
          errors: FuzzRun['errors'];
        };
        resolvePromise({
          identity: identity.name,
          exitCode: exitCode ?? -1,
          operations: document.operations ?? { selected: 0, tested: 0, errored: 0 },
          testCases: document.test_cases.generated,
          failures: document.failures,
          errors: document.errors,
          // The credential is a secret: never in what the test prints.
          output: output.split(identity.credential).join('<credential>'),
        });
      } catch {
        reject(
          new Error(`schemathesis wrote no report (exit ${exitCode}):\n${output.slice(-4000)}`),
        );
      }
    });
  });
}

/**
 * CPython 3.11's `ast.parse` deep in hypothesis's recursive strategies, while it describes a
 * lambda for a repr during data generation (`SystemError: AST constructor recursion depth
 * mismatch` in `hypothesis/internal/lambda_sources.py`), reported as a "Runtime Error" of the
 * operation: the fuzzer's own crash, before any request is made for that case. Nothing else is.
 */
export function fuzzerCrashedItself(run: FuzzRun): boolean {
  return (
    run.failures.length === 0 &&
    run.errors.length > 0 &&
    run.errors.every((error) => error.title === 'Runtime Error') &&
    run.output.includes('SystemError: AST constructor recursion depth mismatch') &&
    run.output.includes('hypothesis/internal/lambda_sources.py')
  );
}

export async function fuzz(
  p: E2ePlatform,
  options: { seed: number; maxTimeSeconds: number; workers: number },
): Promise<FuzzFigures> {
  const st = schemathesis();
  const identities = await fuzzIdentities(p);
  const document = (await p.call('GET', '/openapi.json', null)).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((method) => ['get', 'put', 'post', 'delete', 'patch'].includes(method))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
  const before = await answeredRequests(p);
  const runs: FuzzRun[] = [];
  for (const identity of identities) {
    const run = () =>
      runOne(
        st,
        p,
        identity,
        options.seed,
        options.maxTimeSeconds * identity.share,
        options.workers,
      );
    let result = await run();
    if (fuzzerCrashedItself(result)) {
      // Run again, once, and say so: a second crash, or anything else, fails the suite.
      result = { ...(await run()), retried: 'the fuzzer crashed in its own generation code' };
    }
    runs.push(result);
  }
  const after = await answeredRequests(p);
  const requests = Object.fromEntries(
    Object.keys(after).map((kind) => [kind, (after[kind] ?? 0) - (before[kind] ?? 0)]),
  );
  const covered = operations.filter((operation) => {
    const path = operation.split(' ')[1] ?? '';
    return identities.some((identity) => new RegExp(identity.paths).test(path));
  });
  return {
    seed: options.seed,
    runs,
    requests,
    documentOperations: operations.length,
    testedOperations: covered.length,
  };
}

export function formatFigures(figures: FuzzFigures): string {
  const lines = [
    `fuzz: seed ${figures.seed}; ${figures.testedOperations} of ${figures.documentOperations} operations; gateway answered ${JSON.stringify(figures.requests)}`,
  ];
  for (const run of figures.runs) {
    lines.push(
      `  ${run.identity}: ${run.operations.tested}/${run.operations.selected} operations, ${run.testCases} test cases, ${run.failures.length} failure kinds, ${run.errors.length} errors (exit ${run.exitCode})${run.retried ? `; run again: ${run.retried}` : ''}`,
    );
    for (const failure of run.failures) {
      lines.push(`    ${failure.title} ×${failure.count}: ${failure.operations.join(', ')}`);
    }
    for (const error of run.errors) lines.push(`    error: ${error.title} ×${error.count}`);
    // Schemathesis' own account of what failed (with the requests to reproduce it).
    // Long bodies cut per line, so every failure's account (and its curl) stays readable.
    if (run.failures.length + run.errors.length > 0) {
      const account = run.output.slice(Math.max(0, run.output.indexOf('FAILURES')));
      lines.push(
        account
          .split('\n')
          .map((line) => (line.length > 600 ? `${line.slice(0, 600)}…` : line))
          .join('\n'),
      );
    }
  }
  return lines.join('\n');
}
