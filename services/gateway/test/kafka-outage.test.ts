/**
 * A broker outage during turns: the platform runs against a Kafka broker of this suite's own,
 * which is killed (SIGKILL) in the middle of a run of turns and started again later on the same
 * data. Turns keep working while it is down (their events wait in the outbox); once it is back,
 * the relays publish the backlog and the consumers catch up, and every counter and the usage
 * rollup are exact against the sessions service's rows: nothing lost, nothing counted twice.
 * About 80 s: the private broker's two starts (about 6 s and 13 s), the platform's start,
 * 4 sessions with 16 turns (12 messages) and the catch-up.
 */
import { type PrivateKafka, requireVariable, startPrivateKafka } from '@lab/platform/testing';
import { Pool } from 'pg';
import { assistantDraft, eventuallyWithin } from './support/fixtures';
import { type E2ePlatform, openAiKey, startE2ePlatform } from './support/e2e-platform';

jest.setTimeout(300_000);

const eventually = eventuallyWithin(90_000);

describe('a Kafka broker outage during turns (real services, a private broker)', () => {
  let broker: PrivateKafka | undefined;
  let p: E2ePlatform | undefined;
  let db: Pool | undefined;

  beforeAll(async () => {
    broker = await startPrivateKafka();
    p = await startE2ePlatform('kafka-outage', { events: { brokers: broker.brokers } });
    db = new Pool({ connectionString: requireVariable('DATABASE_URL'), max: 2 });
  });
  afterAll(async () => {
    // Each in turn, whatever failed before: the private broker is always stopped.
    await db?.end().catch(() => {});
    await p?.close().catch(() => {});
    await broker?.close();
  });

  /** Rows as plain numbers and strings, for comparison. */
  const rows = async (sql: string) =>
    (await db!.query(sql)).rows.map((r: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [
          k,
          typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v,
        ]),
      ),
    );
  const same = (a: unknown) => (b: unknown) => JSON.stringify(a) === JSON.stringify(b);

  it('keeps taking turns while the broker is down and counts every event exactly once after it is back', async () => {
    const platform = p!;
    const { sessions: s, gateway: g, assistants: a } = platform.schemas;
    const unpublished = async () => {
      const [r] = await rows(`
        select (select count(*) from "${s}".outbox where published_at is null) as sessions,
               (select count(*) from "${a}".outbox where published_at is null) as assistants`);
      return r as { sessions: number; assistants: number };
    };
    const truth = async () => ({
      users: await rows(`
        select user_id::text as id, count(*) as started, count(*) filter (where status = 'ended') as ended
          from "${s}".sessions group by 1 order by 1`),
      usage: await rows(`
        select user_id::text as user, assistant_id::text as assistant, sum(turn_count) as turns,
               sum(prompt_tokens) as prompt, sum(completion_tokens) as completion, sum(guard_hits) as guard
          from "${s}".sessions group by 1, 2 order by 1, 2`),
      assistants: await rows(`
        select assistant_id::text as id, count(*) as started, count(*) filter (where status = 'ended') as ended
          from "${s}".sessions group by 1 order by 1`),
      versions: await rows(`
        select prompt_version_id::text as id, count(*) as started, count(*) filter (where status = 'ended') as ended
          from "${s}".sessions group by 1 order by 1`),
    });
    const counted = async () => ({
      users: await rows(`select id::text as id, sessions_started as started, sessions_ended as ended
                           from "${g}".users where sessions_started > 0 order by 1`),
      usage: await rows(`
        select user_id::text as user, assistant_id::text as assistant, sum(turns) as turns,
               sum(prompt_tokens) as prompt, sum(completion_tokens) as completion, sum(guard_hits) as guard
          from "${g}".usage_daily group by 1, 2 order by 1, 2`),
      assistants:
        await rows(`select id::text as id, sessions_started as started, sessions_ended as ended
                                from "${a}".assistants where sessions_started > 0 order by 1`),
      versions:
        await rows(`select id::text as id, sessions_started as started, sessions_ended as ended
                              from "${a}".prompt_versions where sessions_started > 0 order by 1`),
    });

    const [alice, bob] = [openAiKey(), openAiKey()];
    expect((await platform.call('POST', '/v1/sign-in', alice)).status).toBeLessThan(300);
    expect((await platform.call('POST', '/v1/sign-in', bob)).status).toBeLessThan(300);
    const own = await platform.call(
      'POST',
      '/v1/assistants',
      alice,
      assistantDraft('Outage Coach'),
    );
    expect(own.status).toBe(201);
    const bobs = await platform.call(
      'POST',
      '/v1/assistants',
      bob,
      assistantDraft('Outage Second'),
    );
    expect(bobs.status).toBe(201);

    let turns = 0;
    const session = async (who: string, assistantId: string) => {
      const started = await platform.call('POST', '/v1/sessions', who, { assistantId });
      expect(started.status).toBe(201);
      return started.body.session.id as string;
    };
    const turn = async (who: string, id: string) => {
      const answer = await platform.call('POST', `/v1/sessions/${id}/messages`, who, {
        content: `Message ${turns}`,
      });
      expect(answer.status).toBe(201);
      turns += 1;
    };
    const end = async (who: string, id: string) =>
      expect((await platform.call('POST', `/v1/sessions/${id}/end`, who)).status).toBe(200);

    // Before: the pipeline runs.
    const first = await session(alice, own.body.id);
    await turn(alice, first);
    await turn(alice, first);
    await eventually(counted, same(await truth()));

    // A run of turns with the broker killed in the middle of it.
    const second = await session(bob, bobs.body.id);
    await turn(bob, second);
    const down = Date.now();
    await broker!.stop('SIGKILL');
    await turn(bob, second);
    await turn(alice, first);
    await end(alice, first);
    const third = await session(alice, own.body.id);
    await turn(alice, third);
    await turn(alice, third);
    await end(bob, second);
    const fourth = await session(bob, own.body.id);
    await turn(bob, fourth);
    await turn(bob, fourth);
    await turn(alice, third);
    // Down for a while longer: the relays back off and retry.
    await new Promise((r) => setTimeout(r, 3_000));
    const during = await unpublished();
    expect(during.sessions).toBeGreaterThan(0);
    const stale = await counted();
    const atOutage = await truth();
    expect(stale).not.toEqual(atOutage);
    const outage = Date.now() - down;

    // Back on the same data and ports; then a few more turns.
    const restartStarted = Date.now();
    await broker!.start();
    const restart = Date.now() - restartStarted;
    await turn(bob, fourth);
    await end(bob, fourth);
    await turn(alice, third);
    const back = Date.now();
    const final = await truth();
    expect(await eventually(counted, same(final))).toEqual(final);
    const catchUp = Date.now() - back;
    await eventually(unpublished, (u) => u.sessions === 0 && u.assistants === 0, 30_000);
    // Every session's opening turn, plus the messages.
    expect(final.usage.reduce((n, r) => n + (r.turns as number), 0)).toBe(4 + turns);
    expect(turns).toBe(12);

    // Every published event the user counters take was claimed (applied) by them, once.
    const [events] = await rows(`
      select count(*) as n from (
        select type from "${s}".outbox union all select type from "${a}".outbox) e
       where type in ('session.started', 'session.ended', 'assistant.created')`);
    const [claims] = await rows(`
      select count(*) as n from "${g}".processed_events where consumer = 'gateway.user-counters'`);
    expect(claims).toEqual(events);
    // Settled: a while later nothing moved.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await counted()).toEqual(final);
    process.stderr.write(
      `[kafka-outage] ${turns} messages; during the outage ${during.sessions} events waiting in the sessions outbox, ${during.assistants} in the assistants'; ` +
        `down ${outage} ms, restart ${restart} ms, counters exact ${catchUp} ms after the last turn\n`,
    );
  });
});
