import OpenAI, { BadRequestError, RateLimitError } from 'openai';
import { startMockLlm, type MockLlm, type RecordedRequest, type RegisteredScript } from './index';

let mock: MockLlm;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockLlm();
  client = new OpenAI({
    apiKey: 'test',
    baseURL: `http://127.0.0.1:${mock.port}/v1`,
    maxRetries: 0,
  });
});

afterAll(() => mock.close());

async function ask(content: string, model = 'gpt-4o-mini'): Promise<string> {
  const completion = await client.chat.completions.create({
    model,
    messages: [
      { role: 'system', content: 'System prompt.' },
      { role: 'user', content },
    ],
  });
  return completion.choices[0]?.message.content ?? '';
}

async function admin<T>(method: string, path: string, body?: unknown): Promise<[number, T]> {
  const response = await fetch(`${mock.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return [response.status, (await response.json()) as T];
}

describe('admin API', () => {
  it('a script with match answers matching requests only, counting down times', async () => {
    const [status, added] = await admin<{ ids: string[]; scripts: RegisteredScript[] }>(
      'POST',
      '/_mock/scripts',
      { match: 'MARK-A1', times: 2, reply: 'Scripted answer A1.' },
    );
    expect(status).toBe(201);
    expect(added.ids).toHaveLength(1);
    expect(added.scripts[0]).toMatchObject({ match: 'MARK-A1', remaining: 2 });

    const unaffected = await ask('no marker here');
    expect(unaffected).toMatch(/^Mock reply to "no marker here"\./);
    expect(await ask('first MARK-A1 request')).toBe('Scripted answer A1.');
    const [, listed] = await admin<{ scripts: RegisteredScript[] }>('GET', '/_mock/scripts');
    expect(listed.scripts.find((s) => s.id === added.ids[0])?.remaining).toBe(1);
    expect(await ask('second MARK-A1 request')).toBe('Scripted answer A1.');
    // Used up: the third request gets the deterministic reply again.
    expect(await ask('third MARK-A1 request')).toMatch(/^Mock reply to "third MARK-A1 request"\./);
    const [, after] = await admin<{ scripts: RegisteredScript[] }>('GET', '/_mock/scripts');
    expect(after.scripts.find((s) => s.id === added.ids[0])).toBeUndefined();
  });

  it('times defaults to 1; times 0 and persistent keep a script forever', async () => {
    await admin('POST', '/_mock/scripts', [
      { match: 'MARK-ONCE', reply: 'once' },
      { match: 'MARK-FOREVER', times: 0, reply: 'forever' },
      { match: 'MARK-PERSIST', persistent: true, reply: 'persistent' },
    ]);
    expect(await ask('MARK-ONCE')).toBe('once');
    expect(await ask('MARK-ONCE')).not.toBe('once');
    for (let i = 0; i < 5; i++) {
      expect(await ask('MARK-FOREVER')).toBe('forever');
      expect(await ask('MARK-PERSIST')).toBe('persistent');
    }
    const [, deleted] = await admin<{ deleted: number }>(
      'DELETE',
      '/_mock/scripts?match=MARK-FOREVER',
    );
    expect(deleted.deleted).toBe(1);
    expect(await ask('MARK-FOREVER')).not.toBe('forever');
    expect(await ask('MARK-PERSIST')).toBe('persistent');
    const persist = mock.scripts().find((s) => s.match === 'MARK-PERSIST');
    const [status] = await admin('DELETE', `/_mock/scripts/${persist?.id}`);
    expect(status).toBe(200);
    expect(await ask('MARK-PERSIST')).not.toBe('persistent');
  });

  it('matches scripts first-added first', async () => {
    await admin('POST', '/_mock/scripts', { match: 'MARK-ORDER', reply: 'first' });
    await admin('POST', '/_mock/scripts', { match: 'MARK-ORDER', reply: 'second' });
    expect(await ask('MARK-ORDER')).toBe('first');
    expect(await ask('MARK-ORDER')).toBe('second');
  });

  it('looks for match in the last user message only', async () => {
    mock.addScript({ match: 'MARK-LAST', reply: 'matched' });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'MARK-LAST in the system prompt does not count' },
        { role: 'user', content: 'MARK-LAST in an earlier user turn does not count' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'the last turn' },
      ],
    });
    expect(completion.choices[0]?.message.content).not.toBe('matched');
    expect(await ask('now MARK-LAST')).toBe('matched');
  });

  it('applies a script to the prompt of a legacy completion', async () => {
    mock.addScript({ match: 'MARK-PROMPT', reply: 'completion script' });
    const completion = await client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Prompt with MARK-PROMPT inside',
    });
    expect(completion.choices[0]?.text).toBe('completion script');
  });

  it('rejects an invalid script with 400', async () => {
    const [status, body] = await admin<{ error: { message: string } }>('POST', '/_mock/scripts', {
      match: 'MARK-BAD',
      fault: 'explode',
    });
    expect(status).toBe(400);
    expect(body.error.message).toContain('fault');
    const [typo] = await admin('POST', '/_mock/scripts', { match: 'MARK-BAD', replly: 'x' });
    expect(typo).toBe(400);
    expect(() => mock.addScript({ match: 'MARK-BAD', latencyMs: -1 })).toThrow(TypeError);
  });

  it('logs recent requests with the key, traceparent and model they came with, and clears them', async () => {
    const marker = 'MARK-LOG';
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await client.chat.completions.create(
      { model: 'gpt-4o', messages: [{ role: 'user', content: `${marker} logged` }] },
      { headers: { 'x-test-header': 'present', traceparent } },
    );
    const [status, body] = await admin<{ requests: RecordedRequest[] }>(
      'GET',
      `/_mock/requests?match=${marker}`,
    );
    expect(status).toBe(200);
    expect(body.requests).toHaveLength(1);
    const [entry] = body.requests;
    expect(entry).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      authorization: 'Bearer test',
      traceparent,
      model: 'gpt-4o',
      body: { model: 'gpt-4o', messages: [{ role: 'user', content: `${marker} logged` }] },
    });
    expect(entry?.headers['x-test-header']).toBe('present');
    // The key has a field of its own; `headers` stays free of it.
    expect(entry?.headers.authorization).toBeUndefined();
    expect(mock.requests({ match: marker })).toHaveLength(1);

    const modelsTrace = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await client.models.retrieve('gpt-4o-mini', { headers: { traceparent: modelsTrace } });
    const [, all] = await admin<{ requests: RecordedRequest[] }>('GET', '/_mock/requests?limit=1');
    expect(all.requests).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/v1/models/gpt-4o-mini',
        model: 'gpt-4o-mini',
        authorization: 'Bearer test',
        traceparent: modelsTrace,
      }),
    ]);

    const [, cleared] = await admin<{ deleted: number }>('DELETE', '/_mock/requests');
    expect(cleared.deleted).toBeGreaterThan(0);
    expect(mock.requests()).toEqual([]);
    const [, empty] = await admin<{ requests: RecordedRequest[] }>('GET', '/_mock/requests');
    expect(empty.requests).toEqual([]);
  });

  it('records which script answered and which fault it injected', async () => {
    const id = mock.addScript({ match: 'MARK-REC', fault: 'rate_limit' });
    await expect(ask('MARK-REC')).rejects.toBeInstanceOf(RateLimitError);
    expect(mock.requests({ match: 'MARK-REC' })).toEqual([
      expect.objectContaining({ scriptId: id, fault: 'rate_limit', status: 429 }),
    ]);
  });

  it('DELETE /_mock/scripts clears every script', async () => {
    mock.addScript([{ match: 'MARK-C1', reply: 'x' }, { reply: 'catch-all' }]);
    const [, body] = await admin<{ deleted: number }>('DELETE', '/_mock/scripts');
    expect(body.deleted).toBeGreaterThanOrEqual(2);
    expect(mock.scripts()).toEqual([]);
    expect(await ask('MARK-C1')).not.toBe('x');
  });

  it('a script without match applies to any request', async () => {
    mock.addScript({ reply: 'catch-all', times: 2 });
    expect(await ask('anything')).toBe('catch-all');
    expect(await ask('anything else', 'gpt-4o')).toBe('catch-all');
    expect(await ask('anything')).not.toBe('catch-all');
  });
});

describe('programmatic API', () => {
  it('keeps a bounded request log', async () => {
    const small = await startMockLlm({ requestLogSize: 3 });
    try {
      const other = new OpenAI({ apiKey: 'x', baseURL: small.baseURL, maxRetries: 0 });
      for (let i = 0; i < 5; i++) {
        await other.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: `n${i}` });
      }
      const log = small.requests();
      expect(log.map((r) => (r.body as { prompt: string }).prompt)).toEqual(['n2', 'n3', 'n4']);
      expect(log.map((r) => r.seq)).toEqual([3, 4, 5]);
    } finally {
      await small.close();
    }
  });

  it('server-wide defaults apply when no script matches', async () => {
    const faulty = await startMockLlm({ defaults: { reply: 'Default reply for all.' } });
    try {
      faulty.addScript({ match: 'MARK-OVERRIDE', reply: 'script wins' });
      const other = new OpenAI({ apiKey: 'x', baseURL: faulty.baseURL, maxRetries: 0 });
      const a = await other.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'plain' }],
      });
      const b = await other.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'MARK-OVERRIDE' }],
      });
      expect(a.choices[0]?.message.content).toBe('Default reply for all.');
      expect(b.choices[0]?.message.content).toBe('script wins');
    } finally {
      await faulty.close();
    }
  });
});

describe('inline directives', () => {
  it('[[mock {...}]] sets the reply for this request only', async () => {
    expect(await ask('Hello [[mock {"reply":"Directed reply."}]]')).toBe('Directed reply.');
    expect(await ask('Hello')).toMatch(/^Mock reply to "Hello"\./);
  });

  it('is removed from the text the deterministic reply quotes', async () => {
    const plain = await ask('Tell me a story');
    const directed = await ask('Tell me a story [[mock {"latencyMs": 1}]]');
    expect(directed).toBe(plain);
  });

  it('injects a fault', async () => {
    const error = await ask('[[mock {"fault":"rate_limit","retryAfter":3}]] please').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).headers.get('retry-after')).toBe('3');
  });

  it('takes precedence over scripts, which are not consumed', async () => {
    mock.addScript({ match: 'MARK-DIR', reply: 'from script' });
    expect(await ask('MARK-DIR [[mock {"reply":"from directive"}]]')).toBe('from directive');
    expect(await ask('MARK-DIR')).toBe('from script');
  });

  it('works in a legacy completion prompt, even with "]]" inside the JSON', async () => {
    const completion = await client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Q: hi [[mock {"reply":"a ]] b"}]]\nA:',
    });
    expect(completion.choices[0]?.text).toBe('a ]] b');
  });

  it('answers 400 invalid_mock_directive for a malformed directive', async () => {
    for (const bad of ['[[mock {"reply": }]]', '[[mock {"fault":"nope"}]]', '[[mock {"x":1}]]']) {
      const error = await ask(bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error).toMatchObject({ code: 'invalid_mock_directive', param: 'messages' });
    }
  });
});
