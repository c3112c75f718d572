/**
 * Chaos: the whole platform (the four services as processes, the mock LLM) with turns in
 * flight while its parts crash and its dependencies go away and come back (decision 0019).
 *
 * The shared PostgreSQL, Redis, Temporal and MinIO are never touched: other suites use them at
 * the same time. The services reach each of them through a TCP proxy of this suite's own
 * (TcpProxy); cutting it is a real outage from the services' side (open connections reset, new
 * ones refused) and opening it again is the dependency's return, on the same address. Kafka is a
 * broker of this suite's own (startPrivateKafka), killed with SIGKILL and started again on its
 * data. The services are SIGKILLed and started again as processes.
 *
 * | fault                           | how                                                           |
 * | ------------------------------- | ------------------------------------------------------------- |
 * | llm-worker crash after the call | its own Temporal proxy cut once the model answered; SIGKILL   |
 * | sessions crash mid-turn         | SIGKILL while the model answers; started again                |
 * | gateway crash mid-turn          | SIGKILL while the model answers; started again                |
 * | Temporal outage                 | both Temporal proxies cut, two turns in flight (one streamed) |
 * | PostgreSQL outage               | the database proxy cut with a turn in flight                  |
 * | Redis outage                    | the Redis proxy cut                                           |
 * | S3 outage                       | the object-storage proxy cut                                  |
 * | Kafka outage                    | the private broker SIGKILLed (the gateway restarted), started |
 *
 * Checked throughout: every answer a client saw is 2xx, 409 for a concurrent turn, or 503/504
 * with Retry-After (a client whose own connection died with the gateway sees no answer; a stream
 * that had begun ends with an `error` event, `turn_pending` when the turn may still finish); each
 * turn is one row, two messages, one `turn.completed`; a model call that had finished is never
 * made again (the mock's request log); no session is left blocked; the counters converge.
 */
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import {
  type PrivateKafka,
  requireVariable,
  startPrivateKafka,
  TcpProxy,
} from '@lab/platform/testing';
import { assistantDraft, eventually } from '../../services/gateway/test/support/fixtures';
import {
  type Answer,
  type E2ePlatform,
  openAiKey,
  startE2ePlatform,
} from '../../services/gateway/test/support/e2e-platform';

jest.setTimeout(240_000);

/** An answer a client saw: its status and Retry-After, or `lost` when the connection died. */
interface Seen {
  what: string;
  status: number | 'lost';
  code?: string;
  retryAfter: string | null;
}

/** `host:port` of a URL or an address, through the proxy instead. */
function through(address: string, proxy: TcpProxy): string {
  if (!address.includes('://')) return proxy.address;
  const url = new URL(address);
  url.host = proxy.address;
  return url.href;
}

describe('chaos: crashes and outages with turns in flight (real services and components)', () => {
  const proxies = {
    database: TcpProxy.to(new URL(requireVariable('DATABASE_URL')).host),
    redis: TcpProxy.to(new URL(requireVariable('REDIS_URL')).host),
    temporal: TcpProxy.to(requireVariable('TEMPORAL_ADDRESS')),
    /** The llm-worker's own way to Temporal, to cut it off alone. */
    workerTemporal: TcpProxy.to(requireVariable('TEMPORAL_ADDRESS')),
    s3: TcpProxy.to(new URL(requireVariable('S3_ENDPOINT')).host),
  };
  let broker: PrivateKafka | undefined;
  let p: E2ePlatform;
  let db: Pool;
  /** The shared Redis, directly (not through the proxy): to see the kept model answer. */
  let redis: Redis;
  let user: string;
  let assistantId: string;
  const seen: Seen[] = [];
  /** Every turn that should exist once: session id and Idempotency-Key. */
  const turns: Array<{ sessionId: string; key: string }> = [];
  let sessionsSchema: string;

  beforeAll(async () => {
    for (const proxy of Object.values(proxies)) await proxy.open();
    broker = await startPrivateKafka();
    p = await startE2ePlatform('chaos', {
      events: { brokers: broker.brokers },
      infrastructure: {
        DATABASE_URL: through(requireVariable('DATABASE_URL'), proxies.database),
        REDIS_URL: through(requireVariable('REDIS_URL'), proxies.redis),
        TEMPORAL_ADDRESS: proxies.temporal.address,
        S3_ENDPOINT: through(requireVariable('S3_ENDPOINT'), proxies.s3),
      },
      serviceEnv: { 'llm-worker': { TEMPORAL_ADDRESS: proxies.workerTemporal.address } },
      logLevel: 'info',
    });
    sessionsSchema = p.schemas.sessions;
    db = new Pool({ connectionString: requireVariable('DATABASE_URL'), max: 2 });
    redis = new Redis(requireVariable('REDIS_URL'));
    user = openAiKey();
    expect((await p.call('POST', '/v1/sign-in', user)).status).toBeLessThan(300);
    const created = await p.call('POST', '/v1/assistants', user, assistantDraft('Chaos Coach'));
    expect(created.status).toBe(201);
    assistantId = created.body.id as string;
  });

  afterAll(async () => {
    // Each in turn, whatever failed before: proxies closed, the private broker stopped.
    for (const proxy of Object.values(proxies)) await proxy.close().catch(() => {});
    await db?.end().catch(() => {});
    redis?.disconnect();
    await p?.close().catch(() => {});
    await broker?.close();
  });

  /** A request to the gateway, its answer recorded; `lost` if the connection died. */
  async function send(
    what: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer | { status: 'lost' }> {
    try {
      const answer = await p.call(method, path, user, body, headers);
      seen.push({
        what,
        status: answer.status,
        code: answer.body?.error?.code,
        retryAfter: answer.headers.get('retry-after'),
      });
      return answer;
    } catch {
      seen.push({ what, status: 'lost', retryAfter: null });
      return { status: 'lost' };
    }
  }

  const turn = (sessionId: string, key: string, content: string, what = 'turn') =>
    send(
      what,
      'POST',
      `/v1/sessions/${sessionId}/messages`,
      { content },
      { 'idempotency-key': key },
    );

  async function startSession(key = `start-${turns.length}-${Date.now()}`): Promise<string> {
    const started = await send(
      'start',
      'POST',
      '/v1/sessions',
      { assistantId },
      {
        'idempotency-key': key,
      },
    );
    expect(started.status).toBe(201);
    return (started as Answer).body.session.id as string;
  }

  /** A turn that must succeed now; remembered for the exactly-once check. */
  async function okTurn(sessionId: string, key: string, content: string) {
    const answer = await turn(sessionId, key, content);
    expect(answer.status).toBe(201);
    turns.push({ sessionId, key });
    return answer as Answer;
  }

  const calls = (marker: string) => p.mock.requests({ match: marker }).length;
  const asked = (marker: string) =>
    eventually(
      () => Promise.resolve(calls(marker)),
      (n) => n > 0,
    );

  async function exactlyOnce(sessionId: string, key: string) {
    const { rows } = await db.query(
      `select (select count(*)::int from "${sessionsSchema}".turns where session_id::text = $1 and turn_id = $2) as turns,
              (select count(*)::int from "${sessionsSchema}".messages where session_id::text = $1 and turn_id = $2) as messages,
              (select count(*)::int from "${sessionsSchema}".outbox
                where aggregate_id::text = $1 and type = 'turn.completed' and payload->>'turnId' = $2) as completed`,
      [sessionId, key],
    );
    expect({ sessionId, key, ...rows[0] }).toEqual({
      sessionId,
      key,
      turns: 1,
      messages: 2,
      completed: 1,
    });
  }

  it('the llm-worker killed after the model answered: the answer is reused, not asked again', async () => {
    const sessionId = await startSession();
    p.mock.addScript({ match: 'CHAOS-WORKER', latencyMs: 1_500 });
    const pending = turn(sessionId, 'worker-1', 'CHAOS-WORKER once is enough');
    await asked('CHAOS-WORKER');
    // Cut off Temporal, the worker gets the answer (kept for the turn) but cannot report it.
    await proxies.workerTemporal.close();
    await eventually(
      () => redis.exists(`model-call:${sessionId}:worker-1:reply`),
      (n) => n === 1,
    );
    await p.kill('llm-worker');
    await proxies.workerTemporal.open();
    await p.restart('llm-worker');
    const answer = await pending;
    expect(answer.status).toBe(201);
    turns.push({ sessionId, key: 'worker-1' });
    expect((answer as Answer).body.reply).toContain('CHAOS-WORKER');
    expect(calls('CHAOS-WORKER')).toBe(1);
  });

  it('the sessions service killed mid-turn: 503 with Retry-After, the same key then answers the one reply', async () => {
    const sessionId = await startSession();
    p.mock.addScript({ match: 'CHAOS-SESSIONS', latencyMs: 2_000 });
    const pending = turn(sessionId, 'sessions-1', 'CHAOS-SESSIONS survive this');
    await asked('CHAOS-SESSIONS');
    await p.kill('sessions');
    const cut = await pending;
    expect(cut.status).toBe(503);
    await p.restart('sessions');
    const answer = await okTurn(sessionId, 'sessions-1', 'CHAOS-SESSIONS survive this');
    expect(answer.body.reply).toContain('CHAOS-SESSIONS');
    expect(calls('CHAOS-SESSIONS')).toBe(1);
    await okTurn(sessionId, 'sessions-2', 'and the session goes on');
  });

  it('the gateway killed mid-turn: the same key then answers the one reply', async () => {
    const sessionId = await startSession();
    p.mock.addScript({ match: 'CHAOS-GATEWAY', latencyMs: 2_000 });
    const pending = turn(sessionId, 'gateway-1', 'CHAOS-GATEWAY survive this');
    await asked('CHAOS-GATEWAY');
    await p.kill('gateway');
    expect((await pending).status).toBe('lost');
    await p.restart('gateway');
    const answer = await okTurn(sessionId, 'gateway-1', 'CHAOS-GATEWAY survive this');
    expect(answer.body.reply).toContain('CHAOS-GATEWAY');
    expect(calls('CHAOS-GATEWAY')).toBe(1);
  });

  it('Temporal away with turns in flight: 503/504 with Retry-After, then the one reply, a usable session and a clean start', async () => {
    const sessionId = await startSession();
    const streamedId = await startSession();
    p.mock.addScript({ match: 'CHAOS-TEMPORAL', latencyMs: 1_500 });
    p.mock.addScript({ match: 'CHAOS-STREAMED', latencyMs: 1_500 });
    const inFlight = turn(sessionId, 'temporal-1', 'CHAOS-TEMPORAL in flight');
    // A streamed turn: taken by the workflow (the stream began) before the outage.
    const streaming = p.stream(
      `/v1/sessions/${streamedId}/messages`,
      user,
      { content: 'CHAOS-STREAMED in flight' },
      { 'idempotency-key': 'streamed-1' },
    );
    await asked('CHAOS-TEMPORAL');
    await asked('CHAOS-STREAMED');
    await Promise.all([proxies.temporal.close(), proxies.workerTemporal.close()]);
    const [during, fresh, start, streamed] = await Promise.all([
      inFlight,
      turn(sessionId, 'temporal-2', 'a new turn during the outage'),
      send('start', 'POST', '/v1/sessions', { assistantId }, { 'idempotency-key': 'start-outage' }),
      streaming,
    ]);
    seen.push({ what: 'stream', status: streamed.status, retryAfter: null });
    const ready = await fetch(`${p.sessionsUrl}/readyz`);
    const readiness = (await ready.json()) as any;
    await Promise.all([proxies.temporal.open(), proxies.workerTemporal.open()]);

    for (const answer of [during, fresh, start]) expect([503, 504, 409]).toContain(answer.status);
    expect(start.status).toBe(503);
    expect(ready.status).toBe(503);
    expect(readiness.error.details).toContainEqual({ field: 'temporal', message: 'down' });

    // Back: the turn in flight answers once, with the one model call it made.
    const answer = await eventually(
      () => turn(sessionId, 'temporal-1', 'CHAOS-TEMPORAL in flight', 'repeat'),
      (a) => a.status !== 503 && a.status !== 504,
      60_000,
    );
    expect(answer.status).toBe(201);
    turns.push({ sessionId, key: 'temporal-1' });
    expect(calls('CHAOS-TEMPORAL')).toBe(1);
    // The stream told its client the turn was still running; the same key fetches the reply.
    expect(streamed.status).toBe(200);
    expect(streamed.events.at(-1)).toMatchObject({
      event: 'error',
      data: { error: { code: 'turn_pending' } },
    });
    const fetched = await okTurn(streamedId, 'streamed-1', 'CHAOS-STREAMED in flight');
    expect(fetched.body.reply).toContain('CHAOS-STREAMED');
    expect(calls('CHAOS-STREAMED')).toBe(1);
    // The session is not blocked (a new key proceeds), and the failed start left nothing:
    // repeated with its key, it starts the session.
    await okTurn(sessionId, 'temporal-3', 'after the outage');
    const restarted = await send(
      'start',
      'POST',
      '/v1/sessions',
      { assistantId },
      {
        'idempotency-key': 'start-outage',
      },
    );
    expect(restarted.status).toBe(201);
    const restartedId = (restarted as Answer).body.session.id as string;
    await okTurn(restartedId, 'start-outage-1', 'the started session works');
  });

  it('PostgreSQL away with a turn in flight: 503 with Retry-After, then the turn persists once', async () => {
    const sessionId = await startSession();
    p.mock.addScript({ match: 'CHAOS-DATABASE', latencyMs: 1_500 });
    const inFlight = turn(sessionId, 'database-1', 'CHAOS-DATABASE in flight');
    await asked('CHAOS-DATABASE');
    await proxies.database.close();
    const during = await Promise.all([
      turn(sessionId, 'database-2', 'a new turn during the outage'),
      send('list', 'GET', '/v1/sessions'),
      send('start', 'POST', '/v1/sessions', { assistantId }, { 'idempotency-key': 'start-db' }),
    ]);
    const ready = await fetch(`${p.url}/readyz`);
    const readiness = (await ready.json()) as any;
    // Away until the model has answered: the turn's persist meets the outage and waits it out.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await proxies.database.open();
    for (const answer of during) expect(answer.status).toBe(503);
    expect(ready.status).toBe(503);
    expect(readiness.error.details).toContainEqual({ field: 'database', message: 'down' });

    const answer = await inFlight;
    expect(answer.status).toBe(201);
    turns.push({ sessionId, key: 'database-1' });
    expect(calls('CHAOS-DATABASE')).toBe(1);
    await okTurn(sessionId, 'database-3', 'after the outage');
  });

  it('Redis away: 503 with Retry-After, then turns again', async () => {
    const sessionId = await startSession();
    await proxies.redis.close();
    const during = await turn(sessionId, 'redis-1', 'a turn while Redis is away');
    const ready = await fetch(`${p.sessionsUrl}/readyz`);
    const readiness = (await ready.json()) as any;
    await proxies.redis.open();
    expect(during.status).toBe(503);
    expect(ready.status).toBe(503);
    expect(readiness.error.details).toContainEqual({ field: 'redis', message: 'down' });
    // Redis' clients reconnect on their own: the same key now runs the turn.
    const answer = await eventually(
      () => turn(sessionId, 'redis-1', 'a turn while Redis is away', 'repeat'),
      (a) => a.status !== 503,
      30_000,
    );
    expect(answer.status).toBe(201);
    turns.push({ sessionId, key: 'redis-1' });
  });

  it('S3 away: files 503 with Retry-After and readiness degraded, turns and ends go on', async () => {
    const sessionId = await startSession();
    await proxies.s3.close();
    const upload = await send(
      'upload',
      'POST',
      `/v1/sessions/${sessionId}/attachments`,
      'Notes: CHAOS-S3.',
      { 'content-type': 'text/plain', 'x-filename': 'notes.txt' },
    );
    const ready = await fetch(`${p.sessionsUrl}/readyz`);
    const readiness = (await ready.json()) as any;
    await okTurn(sessionId, 's3-1', 'a turn while storage is away');
    expect((await send('end', 'POST', `/v1/sessions/${sessionId}/end`)).status).toBe(200);
    await proxies.s3.open();
    expect(upload.status).toBe(503);
    expect(ready.status).toBe(200);
    expect(readiness).toMatchObject({
      status: 'degraded',
      info: { 'object-storage': { status: 'down' } },
    });
    const later = await startSession();
    const uploaded = await send('upload', 'POST', `/v1/sessions/${later}/attachments`, 'Notes.', {
      'content-type': 'text/plain',
      'x-filename': 'notes.txt',
    });
    expect(uploaded.status).toBe(201);
  });

  it('Kafka killed and back: turns go on, a gateway started meanwhile consumes, the counters converge to the rows', async () => {
    const { sessions: s, gateway: g } = p.schemas;
    const truth = async () =>
      (
        await db.query(
          `select count(*)::int as started, coalesce(sum(turn_count), 0)::int as turns
             from "${s}".sessions`,
        )
      ).rows[0];
    const counted = async () =>
      (
        await db.query(
          `select (select coalesce(sum(sessions_started), 0)::int from "${g}".users) as started,
                  (select coalesce(sum(turns), 0)::int from "${g}".usage_daily) as turns`,
        )
      ).rows[0];
    const same = (a: unknown) => (b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    await eventually(counted, same(await truth()), 60_000);

    const sessionId = await startSession();
    await broker!.stop('SIGKILL');
    await okTurn(sessionId, 'kafka-1', 'a turn while the broker is down');
    await okTurn(sessionId, 'kafka-2', 'another one');
    // A gateway (with its consumers) that starts while the broker is away consumes once it is back.
    await p.restart('gateway');
    // Readiness names the broker, and stays 200: turns do not need it.
    const during = await eventually(
      async () => {
        const ready = await fetch(`${p.sessionsUrl}/readyz`);
        return { status: ready.status, body: (await ready.json()) as any };
      },
      (r) => r.body?.info?.kafka?.status === 'down',
    );
    await broker!.start();
    const back = Date.now();
    const final = await truth();
    await eventually(counted, same(final), 60_000);
    process.stderr.write(
      `[chaos] counters exact ${Date.now() - back} ms after the broker's return\n`,
    );
    expect(during).toMatchObject({ status: 200, body: { status: 'degraded' } });
  });

  it('afterwards: every turn exactly once, no session blocked, only the statuses allowed', async () => {
    for (const { sessionId, key } of turns) await exactlyOnce(sessionId, key);
    // No active session without its opening turn (a failed start leaves nothing).
    const { rows: orphans } = await db.query(
      `select s.id from "${sessionsSchema}".sessions s
        where not exists (select 1 from "${sessionsSchema}".turns t where t.session_id = s.id and t.turn_id = 'opening')`,
    );
    expect(orphans).toEqual([]);
    // Every active session takes a new turn.
    const { rows: active } = await db.query(
      `select id::text as id from "${sessionsSchema}".sessions where status = 'active'`,
    );
    for (const { id } of active as Array<{ id: string }>)
      expect((await turn(id, `final-${id}`, 'still here?')).status).toBe(201);

    const wrong = seen.filter(
      (answer) =>
        !(
          (typeof answer.status === 'number' && answer.status < 300) ||
          answer.status === 409 ||
          ((answer.status === 503 || answer.status === 504) && answer.retryAfter !== null) ||
          (answer.status === 'lost' && answer.what === 'turn')
        ),
    );
    expect(wrong).toEqual([]);
    expect(seen.some((answer) => answer.status === 503)).toBe(true);
    process.stderr.write(
      `[chaos] ${seen.length} answers: ${JSON.stringify(
        seen.reduce<Record<string, number>>((n, a) => {
          n[String(a.status)] = (n[String(a.status)] ?? 0) + 1;
          return n;
        }, {}),
      )}\n`,
    );
  });
});
