/**
 * The llm-worker killed mid-turn (SIGKILL, no warning), against the real Temporal, PostgreSQL
 * and Redis: every turn still completes exactly once, and a model answer that had arrived
 * before the crash is not asked for again.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { TcpProxy } from '@lab/platform/testing';
import {
  children,
  eventually,
  exactlyOnce,
  kill,
  killChildren,
  spawnService,
  WORKER_MAIN,
} from './crash-support';
import { type Platform, startPlatform, type User } from './platform-harness';

afterAll(killChildren);

describe('the llm-worker killed mid-turn', () => {
  let p: Platform;
  let user: User;

  function startWorkerProcess(temporalAddress = p.workerConfig.temporalAddress) {
    const c = p.workerConfig;
    let polling = false;
    const started = spawnService(
      WORKER_MAIN,
      {
        PATH: process.env.PATH ?? '',
        TEMPORAL_ADDRESS: temporalAddress,
        TEMPORAL_NAMESPACE: c.temporalNamespace,
        TASK_QUEUE: c.taskQueue,
        REDIS_URL: c.redisUrl,
        OPENAI_BASE_URL: c.openaiBaseUrl,
        OPENAI_API_KEY: c.openaiApiKey,
        PAYLOAD_KEYS: c.payloadKeys,
        TURN_VAULT_KEY: c.turnVaultKey.toString('base64'),
        SHUTDOWN_GRACE_MS: '3000',
        METRICS_PORT: '0',
        LOG_LEVEL: 'WARN',
      },
      () => Promise.resolve(polling),
    );
    const child = children.at(-1) as ChildProcess;
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('llm-worker polling')) polling = true;
    });
    return started;
  }

  beforeAll(async () => {
    p = await startPlatform('turns-crash', { inProcessWorker: false });
    user = p.newUser();
  });

  afterAll(async () => {
    await p.close();
  });

  async function newSession(): Promise<string> {
    const assistant = await p.createAssistant(user);
    const started = await p.call('POST', '/sessions', user, { assistantId: assistant.id });
    expect(started.status).toBe(201);
    return started.body.session.id as string;
  }

  it('completes the turn exactly once on another worker when the call was cut short', async () => {
    const first = await startWorkerProcess();
    const sessionId = await newSession();
    p.mock.addScript({ match: 'CRASH-1', latencyMs: 8_000 });
    const turn = p.call(
      'POST',
      `/sessions/${sessionId}/messages`,
      user,
      { content: 'CRASH-1 survive this' },
      { 'idempotency-key': 'crash-1' },
    );
    // Wait until the first worker is inside the LLM call, then kill it without warning.
    await eventually(() => p.mock.requests({ match: 'CRASH-1' }).length > 0);
    await kill(first);

    const second = await startWorkerProcess();
    const answer = await turn;
    expect(answer.status).toBe(201);
    expect(answer.body.reply).toContain('CRASH-1');
    await exactlyOnce(p.db, sessionId, 'crash-1');
    // The first call never finished: it was asked again.
    expect(p.mock.requests({ match: 'CRASH-1' })).toHaveLength(2);

    // The replacement worker shuts down gracefully.
    const exited = once(second, 'exit');
    second.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  }, 90_000);

  it('does not ask the model again when the worker died after its answer arrived', async () => {
    // The worker reaches Temporal through a proxy of this test's own: cut, it cannot report the
    // answer it got; killed, Temporal gives the activity to the next worker (heartbeat timeout).
    const proxy = TcpProxy.to(p.workerConfig.temporalAddress);
    await proxy.open();
    try {
      const first = await startWorkerProcess(proxy.address);
      const sessionId = await newSession();
      p.mock.addScript({ match: 'ANSWERED-1', latencyMs: 1_500 });
      const turn = p.call(
        'POST',
        `/sessions/${sessionId}/messages`,
        user,
        { content: 'ANSWERED-1 once is enough' },
        { 'idempotency-key': 'answered-1' },
      );
      await eventually(() => p.mock.requests({ match: 'ANSWERED-1' }).length > 0);
      await proxy.close();
      // The answer arrives and is kept for the turn; its completion cannot reach Temporal.
      await eventually(
        async () => (await p.redis.exists(`model-call:${sessionId}:answered-1:reply`)) === 1,
      );
      await kill(first);

      const second = await startWorkerProcess();
      const answer = await turn;
      expect(answer.status).toBe(201);
      expect(answer.body.reply).toContain('ANSWERED-1');
      await exactlyOnce(p.db, sessionId, 'answered-1');
      expect(p.mock.requests({ match: 'ANSWERED-1' })).toHaveLength(1);
      await kill(second);
    } finally {
      await proxy.close();
    }
  }, 90_000);
});
