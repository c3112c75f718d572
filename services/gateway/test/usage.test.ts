/**
 * Counters and usage through the real services and Kafka: a run of sessions, then every counter
 * and the usage rollup compared with the database's truth (the sessions service's own rows);
 * a redelivered event changes nothing.
 */
import { costOf, findModel } from '@lab/conversation';
import { createKafka } from '@lab/platform/outbox';
import { requireVariable } from '@lab/platform/testing';
import { Pool } from 'pg';
import { assistantDraft, eventuallyWithin } from './support/fixtures';
import { type E2ePlatform, openAiKey, startE2ePlatform } from './support/e2e-platform';

jest.setTimeout(240_000);

const eventually = eventuallyWithin(60_000);

describe('events, counters and usage (real services, Kafka, PostgreSQL, Temporal)', () => {
  let p: E2ePlatform;
  let db: Pool;

  beforeAll(async () => {
    p = await startE2ePlatform('usage', { events: true });
    db = new Pool({ connectionString: requireVariable('DATABASE_URL'), max: 2 });
  });
  afterAll(async () => {
    await db?.end();
    await p?.close();
  });

  /** Rows as plain numbers and strings, sorted, for comparison. */
  const rows = async (sql: string) =>
    (await db.query(sql)).rows.map((r: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [
          k,
          typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v,
        ]),
      ),
    );

  it('counts sessions and assistants per user, assistant and prompt version, and usage per day, user, assistant and model, exactly', async () => {
    const [alice, bob] = [openAiKey(), openAiKey()];
    expect((await p.call('POST', '/v1/sign-in', alice)).status).toBeLessThan(300);
    expect((await p.call('POST', '/v1/sign-in', bob)).status).toBeLessThan(300);
    const own = await p.call('POST', '/v1/assistants', alice, assistantDraft('Usage Coach'));
    expect(own.status).toBe(201);
    const ownId = own.body.id as string;
    const bobs = await p.call('POST', '/v1/assistants', bob, assistantDraft('Second Coach'));
    expect(bobs.status).toBe(201);
    const bobsId = bobs.body.id as string;

    const runs: Array<[string, string, number, boolean]> = [
      [alice, ownId, 2, true],
      [alice, ownId, 1, false],
      [bob, bobsId, 2, true],
      [bob, bobsId, 0, true],
    ];
    for (const [who, assistantId, messages, end] of runs) {
      const started = await p.call('POST', '/v1/sessions', who, { assistantId });
      expect(started.status).toBe(201);
      const id = started.body.session.id as string;
      for (let i = 0; i < messages; i++) {
        const turn = await p.call('POST', `/v1/sessions/${id}/messages`, who, {
          content: `Message ${i}`,
        });
        expect(turn.status).toBe(201);
      }
      if (end) expect((await p.call('POST', `/v1/sessions/${id}/end`, who)).status).toBe(200);
    }
    const { sessions: s, gateway: g, assistants: a } = p.schemas;

    // The truth: the sessions service's rows.
    const truthUsers = await rows(`
      select user_id::text as id, count(*) as started, count(*) filter (where status = 'ended') as ended
        from "${s}".sessions group by 1 order by 1`);
    const truthUsage = await rows(`
      select user_id::text as user, assistant_id::text as assistant, sum(turn_count) as turns,
             sum(prompt_tokens) as prompt, sum(completion_tokens) as completion, sum(guard_hits) as guard
        from "${s}".sessions group by 1, 2 order by 1, 2`);
    const truthAssistants = await rows(`
      select assistant_id::text as id, count(*) as started, count(*) filter (where status = 'ended') as ended
        from "${s}".sessions group by 1 order by 1`);
    const truthVersions = await rows(`
      select prompt_version_id::text as id, count(*) as started, count(*) filter (where status = 'ended') as ended
        from "${s}".sessions group by 1 order by 1`);
    expect(truthUsage.reduce((n, r) => n + (r.turns as number), 0)).toBe(4 + 5);

    const usersCounted = () =>
      rows(`select id::text as id, sessions_started as started, sessions_ended as ended
              from "${g}".users where sessions_started > 0 order by 1`);
    expect(
      await eventually(usersCounted, (v) => JSON.stringify(v) === JSON.stringify(truthUsers)),
    ).toEqual(truthUsers);
    const usage = () =>
      rows(`select user_id::text as user, assistant_id::text as assistant, sum(turns) as turns,
                   sum(prompt_tokens) as prompt, sum(completion_tokens) as completion, sum(guard_hits) as guard
              from "${g}".usage_daily group by 1, 2 order by 1, 2`);
    expect(
      await eventually(usage, (v) => JSON.stringify(v) === JSON.stringify(truthUsage)),
    ).toEqual(truthUsage);
    const assistantsCounted = () =>
      rows(`select id::text as id, sessions_started as started, sessions_ended as ended
              from "${a}".assistants where sessions_started > 0 order by 1`);
    expect(
      await eventually(
        assistantsCounted,
        (v) => JSON.stringify(v) === JSON.stringify(truthAssistants),
      ),
    ).toEqual(truthAssistants);
    expect(
      await rows(`select id::text as id, sessions_started as started, sessions_ended as ended
                    from "${a}".prompt_versions where sessions_started > 0 order by 1`),
    ).toEqual(truthVersions);
    const creators = await rows(
      `select id::text as id, assistants_created as n from "${g}".users where assistants_created > 0 order by 1`,
    );
    const ids = [
      (await p.call('GET', '/v1/me', alice)).body.id as string,
      (await p.call('GET', '/v1/me', bob)).body.id as string,
    ].sort();
    expect(creators).toEqual(ids.map((id) => ({ id, n: 1 })));

    // Cost from the registry's prices (one model here), per day and model.
    const [total] = await rows(
      `select sum(prompt_tokens) as prompt, sum(completion_tokens) as completion from "${s}".sessions`,
    );
    const [rolled] = await rows(
      `select sum(cost_usd)::float8 as cost, count(distinct day) as days, min(model) as model from "${g}".usage_daily`,
    );
    expect(rolled!.model).toBe('gpt-4o-mini');
    expect(rolled!.days).toBe(1);
    expect(rolled!.cost).toBeCloseTo(
      costOf(findModel('gpt-4o-mini')!, {
        promptTokens: total!.prompt as number,
        completionTokens: total!.completion as number,
      }),
      9,
    );

    // A redelivered event (the same CloudEvent id, as a relay crash would repeat it) counts once.
    const [started] =
      await rows(`select id::text as id, seq::text as seq, aggregate_id::text as subject, payload, occurred_at
                                    from "${s}".outbox where type = 'session.started' order by seq limit 1`);
    const kafka = createKafka({
      brokers: requireVariable('KAFKA_BROKERS'),
      clientId: 'usage-test',
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: p.eventsTopic,
      messages: [
        {
          key: started!.subject as string,
          value: JSON.stringify({
            specversion: '1.0',
            id: started!.id,
            source: 'sessions',
            type: 'lab.session.started',
            time: (started!.occurred_at as Date).toISOString(),
            subject: started!.subject,
            datacontenttype: 'application/json',
            aggregatetype: 'session',
            sequence: started!.seq,
            data: started!.payload,
          }),
        },
      ],
    });
    await producer.disconnect();
    // Every consumer has read past it once its group has no lag... then nothing changed.
    const admin = kafka.admin();
    await admin.connect();
    const groups = [
      `gateway.user-counters:${p.eventsTopic}`,
      `assistants.session-counters:${p.eventsTopic}`,
    ];
    const lag = async () => {
      let sum = 0;
      const ends = await admin.fetchTopicOffsets(p.eventsTopic);
      for (const groupId of groups) {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [p.eventsTopic] });
        for (const end of ends) {
          const at = Number(
            committed?.partitions.find((x) => x.partition === end.partition)?.offset ?? -1,
          );
          sum += Number(end.high) - Math.max(at, Number(end.low));
        }
      }
      return sum;
    };
    await eventually(lag, (n) => n === 0);
    await admin.disconnect();
    expect(await usersCounted()).toEqual(truthUsers);
    expect(await assistantsCounted()).toEqual(truthAssistants);
  });
});
