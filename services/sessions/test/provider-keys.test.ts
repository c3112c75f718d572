import { randomUUID } from 'node:crypto';
import { labWorkflowId, sessionWorkflowId } from '@lab/workflows/ids';
import { type Platform, startPlatform, type User } from './platform-harness';
import { workflowHistoryText } from './temporal-history';

/** The configured key of the harness's llm-worker. */
const WORKER_KEY = 'Bearer test-key';

const draft = (marker: string) => ({
  sessionType: 'brainstorm',
  initialPrompt: `You are the lab draft ${marker}. Answer briefly.`,
  summaryPrompt: `Summarise ${marker}.`,
  modelConfig: {
    model: 'gpt-4o-mini',
    maxTokens: 100,
    temperature: 0.5,
    topP: 1,
    frequencyPenalty: 0,
    presencePenalty: 0,
  },
});

describe('a user’s own OpenAI key, through the key reference (real Temporal, PostgreSQL and Redis; mock LLM)', () => {
  let p: Platform;
  let user: User;

  beforeAll(async () => {
    p = await startPlatform('provider-keys');
    user = p.newUser();
  });

  afterAll(async () => {
    await p.close();
  });

  /** The Authorization header of every model call whose request mentions `text`. */
  const keysSeen = (text: string) =>
    p.mock
      .requests()
      .filter((r) => JSON.stringify(r.body).includes(text))
      .map((r) => r.authorization);

  /** An assistant whose prompts carry `marker`, so every model call of its sessions names it. */
  const assistantMarked = (marker: string) =>
    p.createAssistant(user, {
      initialPrompt: `You are the test assistant ${marker}. Answer briefly.`,
      summaryPrompt: `Summarise the conversation ${marker} briefly.`,
    });

  it('makes every model call of the request with the user’s key: opening, turn, streamed turn, recap, lab turn', async () => {
    const userKey = `sk-user-${randomUUID()}`;
    const byok = { 'x-openai-key': userKey };
    const marker = `BYOK-${randomUUID()}`;
    const assistant = await assistantMarked(marker);

    const started = await p.call('POST', '/sessions', user, { assistantId: assistant.id }, byok);
    expect(started.status).toBe(201);
    const sessionId: string = started.body.session.id;
    const turn = await p.call(
      'POST',
      `/sessions/${sessionId}/messages`,
      user,
      { content: 'a plain turn' },
      byok,
    );
    expect(turn.status).toBe(201);
    const streamed = await p.stream(
      `/sessions/${sessionId}/messages?stream=true`,
      user,
      { content: 'a streamed turn' },
      byok,
    );
    expect(streamed.at(-1)?.event).toBe('done');
    const ended = await p.call('POST', `/sessions/${sessionId}/end`, user, undefined, byok);
    expect(ended.status).toBe(200);
    expect(ended.body.recap).toMatch(/^Mock reply/);
    // Opening, turn, streamed turn, recap: all with the user's key, none with the worker's.
    expect(keysSeen(marker)).toEqual(Array(4).fill(`Bearer ${userKey}`));

    const labMarker = `BYOK-LAB-${randomUUID()}`;
    const lab = await p.call('POST', '/lab/turns', user, { draft: draft(labMarker) }, byok);
    expect(lab.status).toBe(200);
    expect(keysSeen(labMarker)).toEqual([`Bearer ${userKey}`]);

    // Not written anywhere: the service's logs, its rows.
    expect(p.logs()).not.toContain(userKey);
    expect(p.logs()).toContain('x-key-ref'); // the reference was logged, redacted
    const rows = await p.db.query(
      `select (select json_agg(s) from sessions s) as s, (select json_agg(m) from messages m) as m,
              (select json_agg(t) from turns t) as t, (select json_agg(o) from outbox o) as o`,
    );
    expect(JSON.stringify(rows.rows)).not.toContain(userKey);
  });

  it('uses the configured key when the request brings none', async () => {
    const marker = `PLATFORM-${randomUUID()}`;
    const assistant = await assistantMarked(marker);
    const started = await p.call('POST', '/sessions', user, { assistantId: assistant.id });
    const sessionId: string = started.body.session.id;
    await p.call('POST', `/sessions/${sessionId}/messages`, user, { content: 'no key here' });
    await p.call('POST', `/sessions/${sessionId}/end`, user);
    expect(keysSeen(marker)).toEqual(Array(3).fill(WORKER_KEY));
    const labMarker = `PLATFORM-LAB-${randomUUID()}`;
    await p.call('POST', '/lab/turns', user, { draft: draft(labMarker) });
    expect(keysSeen(labMarker)).toEqual([WORKER_KEY]);
  });

  it('keeps the key out of Temporal: not in any history, raw or decoded; its vault entry goes', async () => {
    const userKey = `sk-user-${randomUUID()}`;
    const byok = { 'x-openai-key': userKey };
    const marker = `HIST-${randomUUID()}`;
    const assistant = await assistantMarked(marker);
    const started = await p.call(
      'POST',
      '/sessions',
      user,
      { assistantId: assistant.id },
      { ...byok, 'idempotency-key': `start-${marker}` },
    );
    const sessionId: string = started.body.session.id;
    await p.call(
      'POST',
      `/sessions/${sessionId}/messages`,
      user,
      { content: `turn of ${marker}` },
      { ...byok, 'idempotency-key': 'hist-1' },
    );
    await p.call('POST', `/sessions/${sessionId}/end`, user, undefined, byok);
    await p.call(
      'POST',
      '/lab/turns',
      user,
      { draft: draft(marker), message: `lab of ${marker}` },
      { ...byok, 'idempotency-key': `lab-${marker}` },
    );

    const workflows = [sessionWorkflowId(sessionId), labWorkflowId(user.id, `lab-${marker}`)];
    for (const workflowId of workflows) {
      const history = await workflowHistoryText(p, workflowId);
      expect(history.payloads).toBeGreaterThan(5);
      expect(history.raw).not.toContain(userKey);
      expect(history.decoded).not.toContain(userKey);
      // What the workflow holds instead: a reference to the vault entry, gone once it finished.
      const refs = [...history.decoded.matchAll(/"credentialRef":"([^"]+)"/g)].map((m) => m[1]);
      expect(refs.length).toBeGreaterThan(0);
      expect(history.raw).not.toContain(refs[0]);
      for (const ref of new Set(refs)) {
        await eventually(async () => (await p.redis.exists(`turn-vault:${ref}`)) === 0);
      }
    }
    // Nor the turn's text: the workflow holds it sealed under the user's data key.
    const turn = await workflowHistoryText(p, sessionWorkflowId(sessionId));
    expect(turn.decoded).toContain('"userMessage":"v1.');
    expect(turn.decoded).not.toContain(`turn of ${marker}`);
    expect(turn.raw).not.toContain(`turn of ${marker}`);
  });

  it('answers 422 provider_key_rejected when the provider refuses the user’s key, and changes nothing', async () => {
    const revoked = { 'x-openai-key': `sk-user-invalid-${randomUUID()}` };
    const marker = `REVOKED-${randomUUID()}`;
    const assistant = await assistantMarked(marker);
    const started = await p.call('POST', '/sessions', user, { assistantId: assistant.id });
    const sessionId: string = started.body.session.id;
    const before = await p.db.query(
      `select message_count, turn_count, payload from sessions where id = $1`,
      [sessionId],
    );

    const rejected = await p.call(
      'POST',
      `/sessions/${sessionId}/messages`,
      user,
      { content: 'with a revoked key' },
      revoked,
    );
    expect(rejected.status).toBe(422);
    expect(rejected.body.error.code).toBe('provider_key_rejected');
    const streamed = await p.stream(
      `/sessions/${sessionId}/messages?stream=true`,
      user,
      { content: 'streamed with a revoked key' },
      revoked,
    );
    expect(streamed.at(-1)).toEqual({
      event: 'error',
      data: { error: expect.objectContaining({ code: 'provider_key_rejected' }) },
    });
    const ended = await p.call('POST', `/sessions/${sessionId}/end`, user, undefined, revoked);
    expect(ended.status).toBe(422);
    expect(ended.body.error.code).toBe('provider_key_rejected');
    const lab = await p.call('POST', '/lab/turns', user, { draft: draft(marker) }, revoked);
    expect(lab.status).toBe(422);
    expect(lab.body.error.code).toBe('provider_key_rejected');

    // Each asked once (not retried), each refused with 401.
    const calls = p.mock.requests().filter((r) => JSON.stringify(r.body).includes(marker));
    expect(calls.map((r) => r.status)).toEqual([200, 401, 401, 401, 401]);

    const after = await p.db.query(
      `select message_count, turn_count, payload, status from sessions where id = $1`,
      [sessionId],
    );
    expect(after.rows[0]).toEqual({ ...before.rows[0], status: 'active' });
    const next = await p.call('POST', `/sessions/${sessionId}/messages`, user, { content: 'ok' });
    expect(next.status).toBe(201);
  });

  it('refuses a malformed provider key with 400', async () => {
    const answer = await p.call(
      'POST',
      '/lab/turns',
      user,
      { draft: draft('MALFORMED') },
      { 'x-openai-key': 'sk with spaces' },
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 'validation_failed',
      details: [expect.objectContaining({ field: 'providerKey' })],
    });
  });

  it('refuses a key reference that names nothing, and redeems one only once', async () => {
    const headers = await p.keyHeaders(user);
    const once = await fetch(`${p.sessionsUrl}/sessions/${randomUUID()}`, {
      headers: { 'x-internal-token': [...p.sessionsConfig.internalTokens.keys()][0]!, ...headers },
    });
    expect(once.status).toBe(404); // redeemed: the session is unknown
    for (const ref of [headers['x-key-ref']!, 'caller-keys:never-held', 'x'.repeat(500)]) {
      const answer = await p.call('GET', `/sessions/${randomUUID()}`, null, undefined, {
        'x-user-id': user.id,
        'x-key-ref': ref,
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('key_reference_unknown');
    }
  });

  it('fails the turn without retry, 409 turn_key_expired, when the key’s vault entry is gone', async () => {
    const marker = `EXPIRED-${randomUUID()}`;
    const assistant = await assistantMarked(marker);
    const started = await p.call('POST', '/sessions', user, { assistantId: assistant.id });
    const sessionId: string = started.body.session.id;
    // The first call is rate limited; before the retry, the entry disappears (as on expiry).
    p.mock.addScript({ match: marker, fault: 'rate_limit', retryAfter: 2 });
    const answer = p.call(
      'POST',
      `/sessions/${sessionId}/messages`,
      user,
      { content: `${marker} expires` },
      { 'x-openai-key': `sk-user-${randomUUID()}`, 'idempotency-key': 'expiring-1' },
    );
    const ref = await credentialRefOf(sessionWorkflowId(sessionId));
    await eventually(() => p.mock.requests({ match: marker }).length === 1);
    expect(await p.redis.del(`turn-vault:${ref}`)).toBe(1);
    const failed = await answer;
    expect(failed.status).toBe(409);
    expect(failed.body.error.code).toBe('turn_key_expired');
    expect(p.mock.requests({ match: marker })).toHaveLength(1);
  });

  /** The credentialRef of a workflow's latest request, read with the codec once it is there. */
  async function credentialRefOf(workflowId: string): Promise<string> {
    let ref: string | undefined;
    await eventually(async () => {
      const history = await workflowHistoryText(p, workflowId).catch(() => undefined);
      ref = [...(history?.decoded ?? '').matchAll(/"credentialRef":"([^"]+)"/g)].at(-1)?.[1];
      return ref !== undefined;
    });
    return ref as string;
  }
});

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
