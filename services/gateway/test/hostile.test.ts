/**
 * The public API under hostile input (issue 13), end to end with every service as its own
 * process: each case a careless or hostile client tried — and that once answered 500, an empty
 * body, a platform secret sent to the provider, a replayed answer or a silent acceptance — with
 * the answer it must get now, always in the error model.
 */
import { connect } from 'node:net';
import { randomUUID } from 'node:crypto';
import { assistantDraft, labDraft } from './support/fixtures';
import {
  type E2ePlatform,
  idempotencyKey,
  openAiKey,
  startE2ePlatform,
} from './support/e2e-platform';

/** One raw HTTP exchange over a socket (what fetch would refuse to send). */
function rawExchange(
  url: string,
  request: string | Buffer,
  options: { keepOpenMs?: number } = {},
): Promise<{ status: number; headers: string; body: any; ms: number }> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      let parsed: unknown = body;
      try {
        parsed = JSON.parse(body);
      } catch {
        // not JSON: the assertion shows it
      }
      resolve({ status, headers: head, body: parsed, ms: Date.now() - started });
    });
    socket.write(request);
    if (options.keepOpenMs === undefined) socket.end();
  });
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('the public API under hostile input', () => {
  let p: E2ePlatform;
  let user: string;
  let assistantId: string;

  beforeAll(async () => {
    p = await startE2ePlatform('gateway_hostile', {
      gatewayEnv: {
        HEADERS_TIMEOUT_MS: '2000',
        REQUEST_TIMEOUT_MS: '2000',
        SIGN_IN_FAILURES_BURST: '5',
        SIGN_IN_FAILURES_PER_MINUTE: '1',
      },
    });
    user = openAiKey();
    expect((await p.call('POST', '/v1/sign-in', user)).status).toBe(200);
    const created = await p.call('POST', '/v1/assistants', user, assistantDraft('Hostile'));
    expect(created.status).toBe(201);
    assistantId = created.body.id;
  }, 120_000);

  afterAll(async () => {
    // Also fails the suite if a platform secret ever reached the mock LLM (e2e-platform.ts).
    await p?.close();
  });

  const expectError = (answer: { status: number; body: any }, status: number, code?: string) => {
    expect({ status: answer.status, code: answer.body?.error?.code }).toEqual({
      status,
      code: code ?? expect.any(String),
    });
    expect(typeof answer.body.error.message).toBe('string');
  };

  describe('missing nested objects are 400 at the edge, never a 500 in a service', () => {
    it('POST /v1/lab/turns with {} or with no body', async () => {
      expectError(await p.call('POST', '/v1/lab/turns', user, {}), 400, 'validation_failed');
      expectError(await p.call('POST', '/v1/lab/turns', user), 400, 'validation_failed');
      const noModelConfig = { ...labDraft(), modelConfig: undefined };
      expectError(
        await p.call('POST', '/v1/lab/turns', user, { draft: noModelConfig }),
        400,
        'validation_failed',
      );
      expectError(
        await p.call('POST', '/v1/lab/turns', user, { draft: { ...labDraft(), modelConfig: [] } }),
        400,
        'validation_failed',
      );
    });

    it('POST …/model-config-versions with {}, on any assistant id', async () => {
      for (const id of [assistantId, randomUUID()]) {
        const answer = await p.call('POST', `/v1/assistants/${id}/model-config-versions`, user, {});
        expectError(answer, 400, 'validation_failed');
        expect(answer.body.error.details).toEqual(
          expect.arrayContaining([expect.objectContaining({ field: 'modelConfig' })]),
        );
      }
    });

    it('POST /v1/assistants without modelConfig, or with null where a field is optional', async () => {
      const withoutModelConfig = { ...assistantDraft('No config'), modelConfig: undefined };
      expectError(
        await p.call('POST', '/v1/assistants', user, withoutModelConfig),
        400,
        'validation_failed',
      );
      expectError(
        await p.call(
          'POST',
          '/v1/assistants',
          user,
          assistantDraft('Null', { guardThreshold: null }),
        ),
        400,
        'validation_failed',
      );
      expectError(
        await p.call('POST', '/v1/lab/turns', user, { draft: labDraft(), thread: null }),
        400,
        'validation_failed',
      );
    });
  });

  it('deep JSON is 400 too_deep on every JSON route, before validation', async () => {
    const body = nested(2000);
    expect(body.length).toBe(4000);
    for (const [method, path] of [
      ['POST', '/v1/assistants'],
      ['POST', '/v1/lab/turns'],
      ['POST', '/v1/chat/completions'],
      ['PATCH', `/v1/assistants/${assistantId}`],
    ] as const) {
      const wrapped = `{"a":${body}}`;
      expectError(await p.call(method, path, user, wrapped), 400, 'too_deep');
    }
    // 64 levels are fine for the parser (the DTO then refuses the shape).
    const shallow = await p.call('POST', '/v1/lab/turns', user, `{"draft":${nested(63)}}`);
    expectError(shallow, 400, 'validation_failed');
  });

  describe("Node's own HTTP errors answer in the error model", () => {
    it('a header over 16 KB is 431 with a JSON body', async () => {
      const answer = await rawExchange(
        p.url,
        `GET /v1/me HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      expect(answer.status).toBe(431);
      expect(answer.body).toEqual({
        error: { code: 'headers_too_large', message: expect.any(String) },
      });
    });

    it('a control byte in a header is 400 with a JSON body', async () => {
      const answer = await rawExchange(
        p.url,
        Buffer.from(`GET /v1/me HTTP/1.1\r\nhost: x\r\nx-bad: a\x01b\r\n\r\n`, 'latin1'),
      );
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: { code: 'bad_request', message: expect.any(String) } });
    });

    it('a body announced and never sent is 408 within the request timeout, not after 300 s', async () => {
      const answer = await rawExchange(
        p.url,
        `POST /v1/lab/turns HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${user}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"dr`,
        { keepOpenMs: 10_000 },
      );
      expect(answer.status).toBe(408);
      expect(answer.body).toEqual({
        error: { code: 'request_timeout', message: expect.any(String) },
      });
      // REQUEST_TIMEOUT_MS is 2 s here (Node checks about every second); it used to be 314 s.
      expect(answer.ms).toBeLessThan(9_000);
    });

    it('a URL over 8 KiB is 414; TRACE on an API path is 405 with Allow', async () => {
      const long = await p.call('GET', `/v1/assistants/search?q=${'a'.repeat(9000)}`, user);
      expectError(long, 414, 'uri_too_long');
      const trace = await rawExchange(p.url, `TRACE /v1/me HTTP/1.1\r\nhost: x\r\n\r\n`);
      expect(trace.status).toBe(405);
      expect(trace.headers.toLowerCase()).toContain('allow: get, head');
      expect(trace.body.error.code).toBe('method_not_allowed');
      expectError(await p.call('DELETE', '/v1/me', user), 405, 'method_not_allowed');
      // A literal path is its own route, not an id of /v1/assistants/{id} (found by the fuzzer).
      expectError(
        await p.call('PATCH', '/v1/assistants/mine', user, {}),
        405,
        'method_not_allowed',
      );
    });
  });

  describe('credential hygiene', () => {
    it('failed sign-ins are limited per client address, whatever the key', async () => {
      // First of the suite's failed sign-ins (they all come from 127.0.0.1).
      const answers: number[] = [];
      const providerChecks: number[] = [];
      for (let i = 0; i < 8; i += 1) {
        providerChecks.push(p.mock.requests().filter((r) => r.path === '/v1/models').length);
        const answer = await p.call('POST', '/v1/sign-in', `sk-invalid-${randomUUID()}`);
        answers.push(answer.status);
        if (answer.status === 429) {
          expect(answer.body.error.code).toBe('too_many_failed_sign_ins');
          expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
        }
      }
      // SIGN_IN_FAILURES_BURST is 5 here: five refusals by the provider, then 429 before any call.
      expect(answers.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(answers.slice(5)).toEqual([429, 429, 429]);
      // The refused ones cost no provider call (nor a PBKDF2 hash: the check comes first).
      expect(providerChecks[7]).toBe(providerChecks[5]);
    });

    it('the ADMIN_TOKEN and the internal tokens are 401 on user routes: no user, no provider call', async () => {
      const before = p.mock.requests().length;
      for (const secret of [p.adminToken, p.internalToken]) {
        expectError(await p.call('POST', '/v1/sign-in', secret), 401, 'unauthenticated');
        expectError(await p.call('GET', '/v1/me', secret), 401, 'unauthenticated');
      }
      expect(p.mock.requests().length).toBe(before);
      expect(p.mock.sightings()).toEqual([]);
      // The admin token still does what it is for.
      expect((await p.call('GET', '/v1/admin/api-keys', p.adminToken)).status).toBe(200);
    });

    it('a credential of no known shape is 401 without any outbound call', async () => {
      const before = p.mock.requests().length;
      for (const token of ['0123456789abcdef0123456789abcdef', 'x'.repeat(40), 'sk-short']) {
        expectError(await p.call('GET', '/v1/me', token), 401, 'unauthenticated');
      }
      expect(p.mock.requests().length).toBe(before);
    });
  });

  describe('an Idempotency-Key is bound to its request', () => {
    it('the same key with another body is 422 idempotency_key_reused', async () => {
      const key = idempotencyKey();
      const headers = { 'idempotency-key': key };
      const first = await p.call('POST', '/v1/sessions', user, { assistantId }, headers);
      expect(first.status).toBe(201);
      const other = await p.call('POST', '/v1/assistants', user, assistantDraft('Other'));
      const reused = await p.call(
        'POST',
        '/v1/sessions',
        user,
        { assistantId: other.body.id },
        headers,
      );
      expectError(reused, 422, 'idempotency_key_reused');

      const sessionId = first.body.session.id;
      const turnKey = { 'idempotency-key': idempotencyKey() };
      const path = `/v1/sessions/${sessionId}/messages`;
      expect((await p.call('POST', path, user, { content: 'Hello' }, turnKey)).status).toBe(201);
      expectError(
        await p.call('POST', path, user, { content: 'Something else' }, turnKey),
        422,
        'idempotency_key_reused',
      );

      const labKey = { 'idempotency-key': idempotencyKey() };
      expect(
        (await p.call('POST', '/v1/lab/turns', user, { draft: labDraft() }, labKey)).status,
      ).toBe(200);
      expectError(
        await p.call('POST', '/v1/lab/turns', user, { draft: labDraft(), message: 'Hi' }, labKey),
        422,
        'idempotency_key_reused',
      );

      const chatKey = { 'idempotency-key': idempotencyKey() };
      const chat = (content: string) => ({
        model: `assistant/${assistantId}`,
        messages: [{ role: 'user', content }],
      });
      expect(
        (await p.call('POST', '/v1/chat/completions', user, chat('One'), chatKey)).status,
      ).toBe(200);
      expectError(
        await p.call('POST', '/v1/chat/completions', user, chat('Two'), chatKey),
        422,
        'idempotency_key_reused',
      );
    });
  });

  describe('what used to be accepted and is refused now', () => {
    let sessionId: string;
    beforeAll(async () => {
      sessionId = (await p.call('POST', '/v1/sessions', user, { assistantId })).body.session.id;
    });

    it('invalid UTF-8, lone surrogates and NUL in message and assistant text', async () => {
      const path = `/v1/sessions/${sessionId}/messages`;
      const invalidUtf8 = Buffer.concat([
        Buffer.from('{"content":"caf'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}'),
      ]);
      const raw = await fetch(`${p.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user}`, 'content-type': 'application/json' },
        body: invalidUtf8,
      });
      expect(raw.status).toBe(400);
      expect(((await raw.json()) as any).error.code).toBe('invalid_utf8');
      expectError(await p.call('POST', path, user, '{"content":"a\\ud800b"}'), 400, 'invalid_text');
      expectError(await p.call('POST', path, user, '{"content":"a\\u0000b"}'), 400, 'invalid_text');
      const name = await p.call('POST', '/v1/assistants', user, assistantDraft('x\ud83d'));
      expectError(name, 400, 'invalid_text');
      expect(name.body.error.details[0].field).toBe('name');
      // A well-formed pair (an emoji) is fine.
      expect((await p.call('POST', path, user, { content: 'Hello 😀' })).status).toBe(201);
    });

    it('a PNG upload that is not a PNG is 415 content_type_mismatch', async () => {
      const upload = (bytes: Buffer) =>
        fetch(`${p.url}/v1/sessions/${sessionId}/attachments`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${user}`,
            'content-type': 'image/png',
            'x-filename': 'picture.png',
          },
          body: bytes,
        });
      const fake = await upload(Buffer.from('<html><script>alert(1)</script></html>'));
      expect(fake.status).toBe(415);
      expect(((await fake.json()) as any).error.code).toBe('content_type_mismatch');
      const png = Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        Buffer.alloc(32),
      ]);
      expect((await upload(png)).status).toBe(201);
    });

    it('limit=0x10, stream=yes, max_tokens -1, temperature "hot", spendCaps null', async () => {
      for (const limit of ['0x10', '1e1', ' 5', '5.0']) {
        expectError(
          await p.call('GET', `/v1/assistants/mine?limit=${encodeURIComponent(limit)}`, user),
          400,
          'validation_failed',
        );
      }
      expect((await p.call('GET', '/v1/assistants/mine?limit=16', user)).status).toBe(200);
      expectError(
        await p.call('POST', `/v1/sessions/${sessionId}/messages?stream=yes`, user, {
          content: 'Hi',
        }),
        400,
        'validation_failed',
      );
      const chat = (extra: Record<string, unknown>) =>
        p.call('POST', '/v1/chat/completions', user, {
          model: `assistant/${assistantId}`,
          messages: [{ role: 'user', content: 'Hi' }],
          ...extra,
        });
      for (const extra of [
        { max_tokens: -1 },
        { temperature: 'hot' },
        { top_p: 7 },
        { stop: [1, 2] },
        { metadata: 'x' },
        { messages: [{ role: 'user', content: { text: 'Hi' } }] },
      ]) {
        expectError(await chat(extra), 400, 'validation_failed');
      }
      // What OpenAI SDKs send stays accepted (null meaning "not set" included).
      expect((await chat({ temperature: 0.2, max_tokens: 50, stop: null, seed: 7 })).status).toBe(
        200,
      );
      // Found by the fuzzer: a cap printed in exponent form crashed class-validator (500).
      const tiny = await p.call('POST', '/v1/admin/api-keys', p.adminToken, {
        name: 'caps-tiny',
        scopes: ['chat'],
        spendCaps: { monthlyUsd: 5e-324 },
      });
      expect(tiny.status).toBe(201);
      expectError(
        await p.call('PATCH', `/v1/assistants/${assistantId}`, user, { version: 2 ** 90 }),
        400,
        'validation_failed',
      );
      expectError(
        await p.call('POST', '/v1/admin/api-keys', p.adminToken, {
          name: 'caps-null',
          scopes: ['chat'],
          spendCaps: null,
        }),
        400,
        'validation_failed',
      );
    });
  });

  describe('the OpenAPI document says what the server does', () => {
    let doc: any;
    beforeAll(async () => {
      doc = (await p.call('GET', '/openapi.json', null)).body;
    });
    const op = (method: string, path: string) => doc.paths[path][method];
    const param = (method: string, path: string, name: string) =>
      op(method, path).parameters.find((x: any) => x.name === name);

    it('ids are UUIDs; every query parameter and header is there with its rules', () => {
      expect(param('get', '/v1/assistants/{id}', 'id').schema).toEqual({
        type: 'string',
        format: 'uuid',
      });
      expect(
        param('post', '/v1/assistants/{id}/model-config-versions/{versionId}/activate', 'versionId')
          .schema.format,
      ).toBe('uuid');
      for (const name of ['from', 'to', 'groupBy']) {
        expect(param('get', '/v1/ops/usage', name)).toMatchObject({ in: 'query', required: true });
      }
      expect(param('get', '/v1/ops/usage', 'groupBy').schema.enum).toContain('apiKey');
      expect(param('get', '/v1/assistants/mine', 'limit').schema).toMatchObject({
        type: 'integer',
        minimum: 1,
        maximum: 100,
      });
      expect(param('get', '/v1/sessions', 'assistantId').schema.format).toBe('uuid');
      const idem = param('post', '/v1/sessions/{id}/messages', 'Idempotency-Key');
      expect(idem).toMatchObject({ in: 'header', required: false });
      expect(idem.schema.pattern).toBeTruthy();
      expect(param('post', '/v1/sessions/{id}/messages', 'stream').schema.enum).toEqual([
        'true',
        'false',
      ]);
      expect(param('post', '/v1/sessions/{id}/attachments', 'x-filename')).toMatchObject({
        in: 'header',
        required: true,
      });
      expect(
        param('post', '/v1/sessions/{id}/attachments', 'x-filename').schema.maxLength,
      ).toBeTruthy();
    });

    it('optional chat-completion fields are not required; bounds are stated', () => {
      const schema = doc.components.schemas.ChatCompletionsDto;
      expect(schema.required.sort()).toEqual(['messages', 'model']);
      expect(schema.properties.temperature).toMatchObject({ minimum: 0, maximum: 2 });
      expect(schema.properties.max_tokens).toMatchObject({ type: 'integer', minimum: 1 });
      expect(doc.components.schemas.CreateApiKeyDto.required.sort()).toEqual(['name', 'scopes']);
    });

    it('the SSE answer and attachment downloads are documented with their content types', () => {
      const streamed = op('post', '/v1/sessions/{id}/messages').responses['200'];
      expect(Object.keys(streamed.content)).toEqual(['text/event-stream']);
      expect(Object.keys(streamed.content['text/event-stream']['x-events']).sort()).toEqual([
        'delta',
        'done',
        'error',
        'guarded',
        'reset',
      ]);
      const download = op('get', '/v1/sessions/{id}/attachments/{attachmentId}').responses['200'];
      expect(Object.keys(download.content)).toEqual(
        expect.arrayContaining(['text/plain', 'application/pdf', 'image/png', 'image/jpeg']),
      );
    });
  });
});
