/**
 * Services as their own processes for the crash suites (from their built `dist/`; scripts/test
 * builds first), and what "exactly once" means for a turn: one turn row, two messages, one
 * `turn.completed`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { freeServicePort } from '@lab/platform/testing';
import type { Pool } from 'pg';
import type { Platform } from './platform-harness';

export const WORKER_MAIN = join(__dirname, '..', '..', 'llm-worker', 'dist', 'src', 'main.js');
export const SESSIONS_MAIN = join(__dirname, '..', 'dist', 'src', 'main.js');

export const children: ChildProcess[] = [];

export function spawnService(
  main: string,
  env: Record<string, string>,
  ready: () => Promise<boolean>,
) {
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx tsc -b)`);
  const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  child.stdout?.resume();
  return new Promise<ChildProcess>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${main} exited early (${code})`)));
    const poll = async () => {
      if (child.exitCode !== null) return;
      if (await ready().catch(() => false)) resolve(child);
      else setTimeout(() => void poll(), 100);
    };
    void poll();
  });
}

export async function kill(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function exactlyOnce(db: Pool, sessionId: string, turnId: string) {
  const count = async (sql: string) =>
    (await db.query(sql, [sessionId, turnId])).rows[0].n as number;
  expect(
    await count(`select count(*)::int as n from turns where session_id = $1 and turn_id = $2`),
  ).toBe(1);
  expect(
    await count(`select count(*)::int as n from messages where session_id = $1 and turn_id = $2`),
  ).toBe(2);
  expect(
    await count(
      `select count(*)::int as n from outbox where aggregate_id = $1 and type = 'turn.completed' and payload->>'turnId' = $2`,
    ),
  ).toBe(1);
}

/**
 * A sessions service process with the suite's configuration, on a free port; `call` and `stream`
 * go to it from then on.
 */
export async function startSessionsProcess(p: Platform): Promise<ChildProcess> {
  const port = await freeServicePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await spawnService(SESSIONS_MAIN, p.sessionsEnv(port), async () => {
    const health = await fetch(`${url}/healthz`);
    return health.ok;
  });
  p.useSessions(url);
  return child;
}

/** Kills what a suite left running. */
export function killChildren(): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
}
