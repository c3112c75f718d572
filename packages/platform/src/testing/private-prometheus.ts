/**
 * A Prometheus of a test's own: the binary scripts/infra builds (`.infra/bin/prometheus`,
 * installed on first use with `scripts/infra/infra install prometheus`), on a free port, with a
 * temporary data folder, scraping the given targets every second and evaluating the given rule
 * files as often, so a test sees its traffic in seconds and never another suite's series.
 * `query()` is its HTTP API's instant query; `close()` stops it and removes the folder. A
 * watchdog kills it if the test process dies without closing it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findRepositoryRoot } from '../infrastructure/local';
import { freeServicePort } from './ports';

export interface PrometheusTarget {
  /** `host:port` of a `/metrics` endpoint. */
  address: string;
  /** Target labels (the dashboard groups by `app`). */
  labels: Record<string, string>;
  /** Default `/metrics`. */
  path?: string;
}

export interface PrivatePrometheusOptions {
  targets: PrometheusTarget[];
  /** Rule files (recording rules and alerts) to evaluate. */
  ruleFiles?: string[];
  /** The port to listen on (default: a free one), when it must be known before the targets. */
  port?: number;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PrivatePrometheus {
  /** `http://127.0.0.1:<port>`: its HTTP API (PROMETHEUS_URL). */
  readonly url: string;
  /** An instant query; rejects with Prometheus' error for an invalid expression. */
  query(expr: string): Promise<PromSample[]>;
  close(): Promise<void>;
}

const run = promisify(execFile);

/**
 * The Prometheus binary scripts/infra builds, at the version it pins: `scripts/infra/infra install
 * prometheus` returns at once when it is there, and builds it when not (minutes, cold: the
 * integration project's global setup calls this once, before any suite's timeout runs).
 */
export async function prometheusBinary(): Promise<string> {
  const root = findRepositoryRoot();
  await run(join(root, 'scripts/infra/infra'), ['install', 'prometheus'], {
    timeout: 30 * 60_000,
  });
  return join(process.env.INFRA_HOME ?? join(root, '.infra'), 'bin', 'prometheus');
}

/** A YAML scalar: JSON's string quoting is valid YAML. */
const quoted = (text: string) => JSON.stringify(text);

export async function startPrivatePrometheus(
  options: PrivatePrometheusOptions,
): Promise<PrivatePrometheus> {
  const binary = await prometheusBinary();
  const port = options.port ?? (await freeServicePort());
  const dir = mkdtempSync(join(tmpdir(), 'private-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      ...(options.ruleFiles ?? []).map((file) => `  - ${quoted(file)}`),
      'scrape_configs:',
      ...options.targets.flatMap((target, index) => [
        `  - job_name: ${quoted(`target-${index}`)}`,
        `    metrics_path: ${quoted(target.path ?? '/metrics')}`,
        '    static_configs:',
        `      - targets: [${quoted(target.address)}]`,
        `        labels: ${JSON.stringify(target.labels)}`,
      ]),
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  spawn(
    'sh',
    [
      '-c',
      'while kill -0 "$0" 2>/dev/null && kill -0 "$1" 2>/dev/null; do sleep 1; done; kill -9 "$1" 2>/dev/null',
      String(process.pid),
      String(child.pid),
    ],
    { stdio: 'ignore' },
  ).unref();

  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (answer) => answer.ok,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await close();
      throw new Error(
        `private Prometheus did not start on ${url}:\n${output.join('').slice(-3000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  return {
    url,
    async query(expr) {
      const answer = await fetch(
        `${url}/api/v1/query?${new URLSearchParams({ query: expr }).toString()}`,
      );
      const body = (await answer.json()) as {
        status: string;
        error?: string;
        data?: { resultType: string; result: PromSample[] };
      };
      if (body.status !== 'success' || !body.data) {
        throw new Error(`${expr}: ${body.error ?? `HTTP ${answer.status}`}`);
      }
      return body.data.resultType === 'vector' ? body.data.result : [];
    },
    close,
  };
}
