import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { type Platform, startPlatform, type User } from './platform-harness';

// The llm-worker as it is deployed: its own process, built by `tsc -b` (scripts/test builds first).
const WORKER_MAIN = join(__dirname, '..', '..', 'llm-worker', 'dist', 'src', 'main.js');

describe('a worker killed mid-turn (real Temporal, PostgreSQL and Redis)', () => {
  let p: Platform;
  let user: User;
  const workers: ChildProcess[] = [];

  function startWorkerProcess(): Promise<ChildProcess> {
    if (!existsSync(WORKER_MAIN))
      throw new Error(`${WORKER_MAIN} is missing: build first (npx tsc -b)`);
    const c = p.workerConfig;
    const child = spawn(process.execPath, [WORKER_MAIN], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: c.temporalAddress,
        TEMPORAL_NAMESPACE: c.temporalNamespace,
        TASK_QUEUE: c.taskQueue,
        REDIS_URL: c.redisUrl,
        OPENAI_BASE_URL: c.openaiBaseUrl,
        OPENAI_API_KEY: c.openaiApiKey,
        PAYLOAD_KEYS: c.payloadKeys,
        TURN_VAULT_KEY: c.turnVaultKey.toString('base64'),
        SHUTDOWN_GRACE_MS: '3000',
        LOG_LEVEL: 'WARN',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    workers.push(child);
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`llm-worker exited early (${code})`)));
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('llm-worker polling')) resolve(child);
      });
    });
  }

  beforeAll(async () => {
    p = await startPlatform('turns-crash', { inProcessWorker: false });
    user = p.newUser();
  });

  afterAll(async () => {
    for (const child of workers) if (child.exitCode === null) child.kill('SIGKILL');
    await p.close();
  });

  it('completes the turn exactly once on another worker', async () => {
    const first = await startWorkerProcess();
    const assistant = await p.createAssistant(user);
    const started = await p.call('POST', '/sessions', user, { assistantId: assistant.id });
    expect(started.status).toBe(201);
    const sessionId: string = started.body.session.id;

    p.mock.addScript({ match: 'CRASH-1', latencyMs: 8_000 });
    const turn = p.call(
      'POST',
      `/sessions/${sessionId}/messages`,
      user,
      { content: 'CRASH-1 survive this' },
      {
        'idempotency-key': 'crash-1',
      },
    );
    // Wait until the first worker is inside the LLM call, then kill it without warning.
    const deadline = Date.now() + 20_000;
    while (!p.mock.requests().some((r) => JSON.stringify(r.body).includes('CRASH-1'))) {
      if (Date.now() > deadline) throw new Error('the turn never reached the LLM');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    first.kill('SIGKILL');
    await once(first, 'exit');

    const second = await startWorkerProcess();
    const answer = await turn;
    expect(answer.status).toBe(201);
    expect(answer.body.reply).toContain('CRASH-1');

    const turns = await p.db.query(
      `select turn_id from turns where session_id = $1 order by created_at`,
      [sessionId],
    );
    expect(turns.rows.map((r) => r.turn_id)).toEqual(['opening', 'crash-1']);
    const messages = await p.db.query(
      `select count(*)::int as n from messages where session_id = $1`,
      [sessionId],
    );
    expect(messages.rows[0].n).toBe(3);
    const events = await p.db.query(
      `select count(*)::int as n from outbox where aggregate_id = $1 and type = 'turn.completed'`,
      [sessionId],
    );
    expect(events.rows[0].n).toBe(2);
    expect(
      p.mock.requests().filter((r) => JSON.stringify(r.body).includes('CRASH-1')),
    ).toHaveLength(2);

    // The replacement worker shuts down gracefully.
    const exited = once(second, 'exit');
    second.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  }, 90_000);
});
