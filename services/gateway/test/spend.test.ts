/**
 * Spend caps through the real services, Kafka, PostgreSQL and Temporal: a user reaching the daily
 * cap after a few turns is refused every LLM route (402 `spend_cap_reached`) before anything is
 * sent to the model; the remaining budget in `GET /v1/me/usage` and `x-spend-remaining-usd`; an
 * API key with a small cap of its own is refused while a key of another system is not; lab turns
 * and OpenAI-compatible completions are counted once each, attributed to their API key.
 */
import { randomUUID } from 'node:crypto';
import { costOf, findModel } from '@lab/conversation';
import { requireVariable } from '@lab/platform/testing';
import { Pool } from 'pg';
import { assistantDraft, labDraft, eventually } from './support/fixtures';
import { type E2ePlatform, openAiKey, startE2ePlatform } from './support/e2e-platform';

jest.setTimeout(240_000);

/** A daily cap a short turn (~4e-5 USD) stays well under, and a few long turns reach. */
const USER_DAILY_CAP = 0.0004;

describe('spend caps (real services, Kafka, PostgreSQL, Temporal)', () => {
  let p: E2ePlatform;
  let db: Pool;
  let showcased: string;

  beforeAll(async () => {
    p = await startE2ePlatform('spend', {
      events: true,
      gatewayEnv: {
        SPEND_CAP_USER_DAILY_USD: String(USER_DAILY_CAP),
        SPEND_CAP_USER_WEEKLY_USD: '5',
      },
    });
    db = new Pool({ connectionString: requireVariable('DATABASE_URL'), max: 2 });
    const shared = await p.call(
      'POST',
      '/v1/assistants',
      openAiKey(),
      assistantDraft('Shared Coach'),
    );
    expect(shared.status).toBe(201);
    showcased = shared.body.id as string;
  });
  afterAll(async () => {
    await db?.end();
    await p?.close();
  });

  const usageOf = async (credential: string) => {
    const answer = await p.call('GET', '/v1/me/usage', credential);
    expect(answer.status).toBe(200);
    return answer.body;
  };

  /** Waits until the caller's spend today has grown past `before`. */
  const spendAbove = (credential: string, before: number) =>
    eventually(
      () => usageOf(credential),
      (u) => u.user.daily.spentUsd > before,
    );

  it('refuses every LLM route once a user reached the daily cap, before any model call, and shows the budget', async () => {
    const alice = openAiKey();
    const fresh = await usageOf(alice);
    expect(fresh.user.daily).toMatchObject({ spentUsd: 0, capUsd: USER_DAILY_CAP });
    expect(fresh.user.daily.remainingUsd).toBe(USER_DAILY_CAP);
    expect(fresh.user.weekly).toMatchObject({ spentUsd: 0, capUsd: 5, remainingUsd: 5 });
    expect(fresh.user.monthly).toMatchObject({ spentUsd: 0, capUsd: null, remainingUsd: null });
    expect(fresh.apiKey).toBeNull();
    expect(fresh.remainingUsd).toBe(USER_DAILY_CAP);
    const today = new Date().toISOString().slice(0, 10);
    expect(fresh.user.daily.since).toBe(today);

    const own = await p.call('POST', '/v1/assistants', alice, assistantDraft('Spend Coach'));
    expect(own.status).toBe(201);
    const started = await p.call('POST', '/v1/sessions', alice, { assistantId: own.body.id });
    expect(started.status).toBe(201);
    expect(Number(started.headers.get('x-spend-remaining-usd'))).toBe(USER_DAILY_CAP);
    const sessionId = started.body.session.id as string;
    let usage = await spendAbove(alice, 0);

    // Long messages: the thread grows, each turn costs more; a few reach the cap.
    let turns = 1;
    while (usage.user.daily.spentUsd < USER_DAILY_CAP) {
      expect(turns).toBeLessThan(10);
      const before = usage;
      const turn = await p.call('POST', `/v1/sessions/${sessionId}/messages`, alice, {
        content: `Turn ${turns}: ${'a long and winding thought '.repeat(180)}`,
      });
      expect(turn.status).toBe(201);
      // The header tells what remained when the turn was let through.
      expect(Number(turn.headers.get('x-spend-remaining-usd'))).toBeCloseTo(before.remainingUsd, 8);
      turns += 1;
      usage = await spendAbove(alice, before.user.daily.spentUsd);
    }
    expect(turns).toBeGreaterThanOrEqual(3);
    expect(usage.remainingUsd).toBe(0);
    expect(usage.user.daily.remainingUsd).toBe(0);
    // What the budget says is what the rollup holds, and what the model registry prices.
    const truth = await db.query(
      `select sum(prompt_tokens)::int as prompt, sum(completion_tokens)::int as completion
         from "${p.schemas.sessions}".sessions where id = $1`,
      [sessionId],
    );
    const cost = costOf(findModel('gpt-4o-mini')!, {
      promptTokens: truth.rows[0].prompt,
      completionTokens: truth.rows[0].completion,
    });
    expect(usage.user.daily.spentUsd).toBeCloseTo(cost, 7);
    expect(usage.user.weekly.spentUsd).toBeCloseTo(cost, 7);

    const calls = p.mock.requests().length;
    const refusals = [
      await p.call('POST', `/v1/sessions/${sessionId}/messages`, alice, { content: 'One more?' }),
      await p.call('POST', `/v1/sessions/${sessionId}/messages?stream=true`, alice, {
        content: 'Streamed?',
      }),
      await p.call('POST', '/v1/lab/turns', alice, {
        draft: labDraft(),
        message: 'Hi',
      }),
      await p.call('POST', '/v1/sessions', alice, { assistantId: showcased }),
      await p.call('POST', `/v1/sessions/${sessionId}/end`, alice),
    ];
    // The OpenAI-compatible route says it as OpenAI does: 429 `insufficient_quota`, same reason.
    const quota = await p.call('POST', '/v1/chat/completions', alice, {
      model: `assistant/${showcased}`,
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(quota.status).toBe(429);
    expect(quota.body.error).toMatchObject({
      type: 'insufficient_quota',
      code: 'insufficient_quota',
      param: null,
    });
    expect(quota.body.error.message).toContain('daily spend cap of this user');
    expect(quota.body.error.message).toContain(`daily cap of ${USER_DAILY_CAP} USD`);
    expect(quota.headers.get('x-spend-remaining-usd')).toBe('0');
    for (const refused of refusals) {
      expect(refused.status).toBe(402);
      expect(refused.body.error.code).toBe('spend_cap_reached');
      expect(refused.body.error.message).toContain('daily spend cap of this user');
      expect(refused.body.error.details).toEqual([
        {
          field: 'user.daily',
          message: expect.stringMatching(
            new RegExp(`^spent [0-9.]+ USD of a daily cap of ${USER_DAILY_CAP} USD since ${today}`),
          ),
        },
      ]);
      expect(refused.headers.get('x-spend-remaining-usd')).toBe('0');
    }
    expect(p.mock.requests().length).toBe(calls);
    // Reading is not spending: the session is still there.
    expect((await p.call('GET', `/v1/sessions/${sessionId}`, alice)).status).toBe(200);
    console.log(
      `[spend] user cap ${USER_DAILY_CAP} USD reached after ${turns} turns (${usage.user.daily.spentUsd} USD); ${refusals.length} LLM routes refused with 402, mock calls unchanged at ${calls}`,
    );
  });

  it('holds an API key to its own caps, not another system’s key; counts its lab turns and completions once, for that key', async () => {
    const create = (name: string, spendCaps?: Record<string, number>) =>
      p.call('POST', '/v1/admin/api-keys', p.adminToken, {
        name,
        scopes: ['chat', 'assistants:read'],
        ...(spendCaps ? { spendCaps } : {}),
      });
    const small = await create('small-spender', { dailyUsd: 0.00001, monthlyUsd: 1 });
    expect(small.status).toBe(201);
    expect(small.body.spendCaps).toEqual({ dailyUsd: 0.00001, weeklyUsd: null, monthlyUsd: 1 });
    const other = await create('other-system');
    expect(other.status).toBe(201);
    expect(other.body.spendCaps).toEqual({ dailyUsd: null, weeklyUsd: null, monthlyUsd: null });
    const bad = await create('bad-caps', { dailyUsd: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('spendCaps.dailyUsd');
    const listed = await p.call('GET', '/v1/admin/api-keys', p.adminToken);
    expect(listed.body.items.find((k: { id: string }) => k.id === small.body.id).spendCaps).toEqual(
      small.body.spendCaps,
    );

    const completion = (key: string, headers: Record<string, string> = {}) =>
      p.call(
        'POST',
        '/v1/chat/completions',
        key,
        { model: `assistant/${showcased}`, messages: [{ role: 'user', content: 'Hi there' }] },
        headers,
      );
    const first = await completion(small.body.key);
    expect(first.status).toBe(200);
    expect(Number(first.headers.get('x-spend-remaining-usd'))).toBe(0.00001);
    const keyUsage = await eventually(
      () => usageOf(small.body.key),
      (u) => u.apiKey?.daily.spentUsd > 0,
    );
    expect(keyUsage.apiKey).toMatchObject({ id: small.body.id });
    expect(keyUsage.apiKey.daily).toMatchObject({ capUsd: 0.00001, remainingUsd: 0 });
    expect(keyUsage.user.daily.capUsd).toBe(USER_DAILY_CAP);
    expect(keyUsage.remainingUsd).toBe(0);

    const calls = p.mock.requests().length;
    const refused = await completion(small.body.key);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('insufficient_quota');
    expect(refused.body.error.details[0].field).toBe('apiKey.daily');
    expect(p.mock.requests().length).toBe(calls);

    // Another system's key: its own budget, untouched. Its lab turn and completions count once.
    const labTurn = await p.call(
      'POST',
      '/v1/lab/turns',
      other.body.key,
      { draft: labDraft(), message: 'What should I try?' },
      { 'Idempotency-Key': `lab-${randomUUID()}` },
    );
    expect(labTurn.status).toBe(200);
    expect(labTurn.headers.get('x-spend-remaining-usd')).not.toBeNull(); // the user caps apply
    const once = { 'Idempotency-Key': `completion-${randomUUID()}` };
    const done = await completion(other.body.key, once);
    expect(done.status).toBe(200);
    const again = await completion(other.body.key, once);
    expect(again.status).toBe(200);
    expect(again.body.choices[0].message.content).toBe(done.body.choices[0].message.content);

    const rolled = () =>
      db
        .query(
          `select assistant_id::text as assistant, turns, prompt_tokens::int as prompt,
                  completion_tokens::int as completion
             from "${p.schemas.gateway}".usage_daily where api_key_id = $1 order by turns, assistant_id`,
          [other.body.id],
        )
        .then((r) => r.rows);
    const expected = [
      {
        assistant: '00000000-0000-0000-0000-000000000000',
        turns: 1,
        prompt: labTurn.body.usage.promptTokens,
        completion: labTurn.body.usage.completionTokens,
      },
      {
        assistant: showcased,
        turns: 1,
        prompt: done.body.usage.prompt_tokens,
        completion: done.body.usage.completion_tokens,
      },
    ].sort((a, b) => a.assistant.localeCompare(b.assistant));
    await eventually(rolled, (rows) => rows.length === 2 && rows.every((r) => r.turns === 1));
    expect(await rolled()).toEqual(expected);
    // Once: the events were recorded once each (a repeated request joins the same workflow).
    const events = await db.query(
      `select payload from "${p.schemas.sessions}".outbox where type = 'usage.recorded'
         and payload->>'callerKeyId' = $1`,
      [other.body.id],
    );
    expect(events.rows.map((r) => r.payload.source).sort()).toEqual(['completion', 'lab']);
    expect(JSON.stringify(events.rows)).not.toContain('What should I try');
    // The small key's completion was attributed to it, not to the other.
    const smallRows = await db.query(
      `select sum(turns)::int as turns from "${p.schemas.gateway}".usage_daily where api_key_id = $1`,
      [small.body.id],
    );
    expect(smallRows.rows[0].turns).toBe(1);
  });
});
