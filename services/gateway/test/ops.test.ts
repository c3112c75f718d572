/**
 * The ops API on the real services and Kafka: operators only (403 for others), validated queries
 * (400), and usage and counters equal to the gateway's tables.
 */
import { requireVariable } from '@lab/platform/testing';
import { Pool } from 'pg';
import { assistantDraft, eventually } from './support/fixtures';
import { type E2ePlatform, openAiKey, startE2ePlatform } from './support/e2e-platform';

jest.setTimeout(240_000);

describe('ops API (real services, Kafka, PostgreSQL, Temporal)', () => {
  let p: E2ePlatform;
  let db: Pool;

  beforeAll(async () => {
    p = await startE2ePlatform('ops', { events: true });
    db = new Pool({ connectionString: requireVariable('DATABASE_URL'), max: 2 });
  });
  afterAll(async () => {
    await db?.end();
    await p?.close();
  });

  const today = new Date().toISOString().slice(0, 10);

  it('is for operators only, and validates its queries', async () => {
    const person = openAiKey();
    const query = `/v1/ops/usage?from=${today}&to=${today}&groupBy=day`;
    expect((await p.call('GET', query, null)).status).toBe(401);
    for (const path of [query, '/v1/ops/counters']) {
      const refused = await p.call('GET', path, person);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('insufficient_scope');
    }
    const chatKey = await p.call('POST', '/v1/admin/api-keys', p.adminToken, {
      name: 'not-an-operator',
      scopes: ['chat'],
    });
    expect((await p.call('GET', '/v1/ops/counters', chatKey.body.key)).status).toBe(403);
    const adminKey = await p.call('POST', '/v1/admin/api-keys', p.adminToken, {
      name: 'dashboards',
      scopes: ['admin'],
    });
    expect((await p.call('GET', query, adminKey.body.key)).status).toBe(200);

    const bad: Array<[string, string]> = [
      ['from=2025-02-30&to=2025-03-01&groupBy=day', 'from'],
      ['from=yesterday&to=2025-03-01&groupBy=day', 'from'],
      ['from=2025-03-01&to=2025-3-1&groupBy=day', 'to'],
      ['from=2025-03-02&to=2025-03-01&groupBy=day', 'to'],
      ['from=2024-01-01&to=2025-03-01&groupBy=day', 'to'],
      ['from=2025-03-01&to=2025-03-01&groupBy=week', 'groupBy'],
      ['from=2025-03-01&to=2025-03-01', 'groupBy'],
      ['to=2025-03-01&groupBy=day', 'from'],
    ];
    for (const [search, field] of bad) {
      const answer = await p.call('GET', `/v1/ops/usage?${search}`, p.adminToken);
      expect([search, answer.status, answer.body.error?.code]).toEqual([
        search,
        400,
        'validation_failed',
      ]);
      expect(answer.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });

  it('answers usage by day, user, assistant, model and API key, and the counters, as the tables hold them', async () => {
    const [alice, bob] = [openAiKey(), openAiKey()];
    const own = await p.call('POST', '/v1/assistants', alice, assistantDraft('Ops Coach'));
    expect(own.status).toBe(201);
    const system = await p.call('POST', '/v1/admin/api-keys', p.adminToken, {
      name: 'ops-system',
      scopes: ['chat'],
    });
    for (const who of [alice, bob, system.body.key as string]) {
      const started = await p.call('POST', '/v1/sessions', who, { assistantId: own.body.id });
      expect(started.status).toBe(201);
      const id = started.body.session.id as string;
      expect(
        (await p.call('POST', `/v1/sessions/${id}/messages`, who, { content: 'Hello' })).status,
      ).toBe(201);
      if (who === alice) {
        expect((await p.call('POST', `/v1/sessions/${id}/end`, who)).status).toBe(200);
      }
    }
    const lab = await p.call('POST', '/v1/lab/turns', bob, {
      draft: {
        sessionType: 'coach',
        initialPrompt: 'You are a lab draft.',
        summaryPrompt: 'Summarise.',
        modelConfig: assistantDraft('x').modelConfig,
      },
      message: 'Hi',
    });
    expect(lab.status).toBe(200);

    const g = p.schemas.gateway;
    // 3 sessions × 2 turns + 1 lab turn; one recap.
    await eventually(
      async () =>
        (await db.query(`select coalesce(sum(turns), 0)::int as n from "${g}".usage_daily`)).rows[0]
          .n as number,
      (n) => n === 7,
    );
    await eventually(
      async () =>
        (
          await db.query(
            `select sum(sessions_started)::int as started, sum(sessions_ended)::int as ended,
                    sum(assistants_created)::int as created from "${g}".users`,
          )
        ).rows[0] as { started: number; ended: number; created: number },
      (n) => n.started === 3 && n.ended === 1 && n.created === 1,
    );

    const columns: Record<string, string> = {
      day: `to_char(day, 'YYYY-MM-DD')`,
      user: 'user_id::text',
      assistant: `nullif(assistant_id, '00000000-0000-0000-0000-000000000000')::text`,
      model: 'model',
      apiKey: `nullif(api_key_id, '00000000-0000-0000-0000-000000000000')::text`,
    };
    for (const [groupBy, column] of Object.entries(columns)) {
      const answer = await p.call(
        'GET',
        `/v1/ops/usage?from=${today}&to=${today}&groupBy=${groupBy}`,
        p.adminToken,
      );
      expect(answer.status).toBe(200);
      const truth = await db.query(
        `select ${column} as key, sum(turns)::int as turns, sum(prompt_tokens)::int as "promptTokens",
                sum(completion_tokens)::int as "completionTokens", sum(cost_usd)::float8 as "costUsd",
                sum(guard_hits)::int as "guardHits"
           from "${g}".usage_daily group by 1 order by 1`,
      );
      expect(answer.body.groups.map((r: { key: string | null }) => r.key)).toEqual(
        truth.rows.map((r) => r.key),
      );
      answer.body.groups.forEach((row: Record<string, number>, i: number) => {
        const want = truth.rows[i] as Record<string, number>;
        expect({ ...row, costUsd: 0 }).toEqual({ ...want, costUsd: 0 });
        expect(row.costUsd).toBeCloseTo(want.costUsd!, 9);
      });
      expect(answer.body.totals.turns).toBe(7);
      expect(answer.body).toMatchObject({ from: today, to: today, groupBy });
    }
    const byKey = await p.call(
      'GET',
      `/v1/ops/usage?from=${today}&to=${today}&groupBy=apiKey`,
      p.adminToken,
    );
    expect(byKey.body.groups.find((r: { key: string }) => r.key === system.body.id).turns).toBe(2);
    const empty = await p.call(
      'GET',
      '/v1/ops/usage?from=2001-01-01&to=2001-01-31&groupBy=day',
      p.adminToken,
    );
    expect(empty.body).toMatchObject({
      groups: [],
      totals: { turns: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, guardHits: 0 },
    });

    const counters = await p.call('GET', '/v1/ops/counters', p.adminToken);
    expect(counters.status).toBe(200);
    const [truth] = (
      await db.query(
        `select count(*)::int as total, sum(sessions_started)::int as started,
                sum(sessions_ended)::int as ended, sum(assistants_created)::int as created,
                (select count(distinct user_id)::int from "${g}".api_keys) as systems,
                (select count(distinct user_id)::int from "${g}".usage_daily where day = $1) as active
           from "${g}".users`,
        [today],
      )
    ).rows;
    expect(counters.body).toMatchObject({
      users: {
        total: truth.total,
        systems: truth.systems,
        people: truth.total - truth.systems,
        active: { today: truth.active, last7Days: truth.active, last30Days: truth.active },
      },
      sessions: { started: truth.started, ended: truth.ended },
      assistants: { created: truth.created },
    });
    expect(truth.active).toBe(3);
    expect(truth.started).toBe(3);
    console.log(`[ops] counters ${JSON.stringify(counters.body)}`);
  });
});
