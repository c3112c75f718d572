import { createHash } from 'node:crypto';
import { SessionCipher } from '@lab/platform';
import { eventually, storeClient } from './archive-support';
import { readArchive } from '../src/archives/archive-format';
import { type Platform, startPlatform, type User } from './platform-harness';

describe('session attachments (real S3, PostgreSQL, Temporal; mock LLM)', () => {
  let p: Platform;
  let store: ReturnType<typeof storeClient>;

  beforeAll(async () => {
    p = await startPlatform('attachments');
    store = storeClient(p.sessionsConfig);
  });

  afterAll(async () => {
    await store.clear();
    await p.close();
  });

  const rows = async (sql: string, params: unknown[] = []) => (await p.db.query(sql, params)).rows;

  async function startSession(user: User) {
    const assistant = await p.createAssistant(user);
    const started = await p.call('POST', '/sessions', user, { assistantId: assistant.id });
    expect(started.status).toBe(201);
    return started.body.session.id as string;
  }

  /** A request as the gateway sends it, with a raw body and the answer's headers. */
  async function raw(
    method: string,
    path: string,
    user: User,
    body?: Buffer | string,
    headers: Record<string, string> = {},
  ) {
    const [token] = [...p.sessionsConfig.internalTokens.keys()];
    const response = await fetch(`${p.sessionsUrl}${path}`, {
      method,
      headers: {
        'x-internal-token': token ?? '',
        ...(await p.keyHeaders(user)),
        ...headers,
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, body: parsed, text, headers: response.headers };
  }

  const upload = (
    user: User,
    sessionId: string,
    body: Buffer | string,
    headers: Record<string, string>,
  ) => raw('POST', `/sessions/${sessionId}/attachments`, user, body, headers);
  const download = (user: User, sessionId: string, id: string) =>
    raw('GET', `/sessions/${sessionId}/attachments/${id}`, user);

  it('stores an upload encrypted, lists it and gives it back to its owner only', async () => {
    const user = p.newUser();
    const sessionId = await startSession(user);
    const text = 'Reef survey notes: ATTACH-CONTEXT-7 the lantern fish glow at dusk.\n';
    const created = await upload(user, sessionId, text, {
      'content-type': 'text/plain; charset=utf-8',
      'x-filename': encodeURIComponent('reef notes.txt'),
      'x-checksum-sha256': createHash('sha256').update(text).digest('hex'),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      sessionId,
      name: 'reef notes.txt',
      contentType: 'text/plain',
      size: Buffer.byteLength(text),
      sha256: createHash('sha256').update(text).digest('hex'),
      origin: 'user',
    });
    const id = created.body.id as string;

    // In the store, under the owner's prefix, and not readable there.
    const keys = await store.keys(`attachments/${user.id}/${sessionId}/`);
    expect(keys).toEqual([`${store.prefix}attachments/${user.id}/${sessionId}/${id}`]);
    const [row] = await rows('select * from attachments where id = $1', [id]);
    expect(row.object_key).toBe(keys[0]);
    // Its name and checksum are sealed; the integrity hash is keyed, so it confirms no guess.
    expect(JSON.stringify(row)).not.toContain('reef');
    expect(JSON.stringify(row)).not.toContain(created.body.sha256);
    expect(row.mac).toBe(
      new SessionCipher(Buffer.from(user.dataKey, 'base64'), sessionId).fileMac(Buffer.from(text)),
    );

    const list = await p.call('GET', `/sessions/${sessionId}/attachments`, user);
    expect(list.body.items.map((a: { id: string }) => a.id)).toEqual([id]);

    const got = await download(user, sessionId, id);
    expect(got.status).toBe(200);
    expect(got.text).toBe(text);
    expect(got.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(got.headers.get('x-checksum-sha256')).toBe(created.body.sha256);

    const stranger = p.newUser();
    expect((await download(stranger, sessionId, id)).status).toBe(404);
    expect((await p.call('GET', `/sessions/${sessionId}/attachments`, stranger)).status).toBe(404);
    expect(
      (
        await upload(stranger, sessionId, 'x', {
          'content-type': 'text/plain',
          'x-filename': 'x.txt',
        })
      ).status,
    ).toBe(404);
    // The owner's id with another key: the bytes do not open.
    const wrongKey = { id: user.id, dataKey: stranger.dataKey };
    const refused = await download(wrongKey, sessionId, id);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('key_mismatch');
  });

  it('refuses other types, oversized files, bad names and wrong checksums', async () => {
    const user = p.newUser();
    const sessionId = await startSession(user);
    const refused = async (body: Buffer | string, headers: Record<string, string>) =>
      (await upload(user, sessionId, body, headers)).body.error.code as string;
    expect(
      await refused('MZ', { 'content-type': 'application/x-msdownload', 'x-filename': 'a.exe' }),
    ).toBe('unsupported_media_type');
    expect(
      await refused(Buffer.alloc(1024 * 1024 + 1, 1), {
        'content-type': 'image/png',
        'x-filename': 'big.png',
      }),
    ).toBe('payload_too_large');
    expect(await refused('hi', { 'content-type': 'text/plain', 'x-filename': '../x' })).toBe(
      'validation_failed',
    );
    expect(
      await refused('hi', {
        'content-type': 'text/plain',
        'x-filename': 'x.txt',
        'x-checksum-sha256': '0'.repeat(64),
      }),
    ).toBe('checksum_mismatch');
    expect(await rows('select id from attachments where session_id = $1', [sessionId])).toEqual([]);
  });

  it('puts text attachments into the model’s context of later turns', async () => {
    const user = p.newUser();
    const sessionId = await startSession(user);
    await upload(user, sessionId, 'The secret harbour is called ATTACH-CONTEXT-9.', {
      'content-type': 'text/markdown',
      'x-filename': 'harbour.md',
    });
    await upload(user, sessionId, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), {
      'content-type': 'image/png',
      'x-filename': 'map.png',
    });
    p.mock.clearRequests();
    const turn = await p.call('POST', `/sessions/${sessionId}/messages`, user, {
      content: 'What is the harbour called? CTX-Q1',
    });
    expect(turn.status).toBe(201);
    const [request] = p.mock.requests({ match: 'CTX-Q1' });
    const messages = (request?.body as { messages: Array<{ role: string; content: string }> })
      .messages;
    const context = messages.find((m) => m.content.includes('ATTACH-CONTEXT-9'));
    expect(context).toMatchObject({ role: 'user' });
    expect(context?.content).toContain('--- file: harbour.md ---');
    expect(JSON.stringify(messages)).not.toContain('map.png');
    // The question stays last; the attachment is not stored in the thread.
    expect(messages[messages.length - 1]?.content).toContain('CTX-Q1');
    const resumed = await p.call('GET', `/sessions/${sessionId}`, user);
    expect(JSON.stringify(resumed.body.payload)).not.toContain('ATTACH-CONTEXT-9');
  });

  it('stores files the model returns as attachments and keeps a reference in the reply', async () => {
    const user = p.newUser();
    const sessionId = await startSession(user);
    p.mock.addScript({
      match: 'FILE-RET-1',
      reply:
        'Here is your plan.\n```file name="plan.md"\n# Dive plan\n1. Descend slowly\n```\nEnjoy.',
    });
    const turn = await p.call('POST', `/sessions/${sessionId}/messages`, user, {
      content: 'Write me a dive plan FILE-RET-1',
    });
    expect(turn.status).toBe(201);
    const list = await p.call('GET', `/sessions/${sessionId}/attachments`, user);
    expect(list.body.items).toHaveLength(1);
    const file = list.body.items[0];
    expect(file).toMatchObject({
      name: 'plan.md',
      contentType: 'text/markdown',
      origin: 'assistant',
    });
    expect(turn.body.reply).toBe(
      `Here is your plan.\n[file plan.md: attachment ${file.id}]\nEnjoy.`,
    );
    expect((await download(user, sessionId, file.id)).text).toBe('# Dive plan\n1. Descend slowly');
    const resumed = await p.call('GET', `/sessions/${sessionId}`, user);
    expect(resumed.body.messages[2].content).toBe(turn.body.reply);

    // It is in the archive's listing once the session ends.
    await p.call('POST', `/sessions/${sessionId}/end`, user);
    await eventually(async () => {
      const [row] = await rows('select archived_at from sessions where id = $1', [sessionId]);
      return row?.archived_at;
    }, 'the archive');
    const link = await p.call('GET', `/sessions/${sessionId}/archive`, user);
    const lines = readArchive(Buffer.from(await (await fetch(link.body.url)).arrayBuffer()));
    const listed = lines.filter((l) => l.type === 'attachment');
    expect(listed).toEqual([expect.objectContaining({ id: file.id, origin: 'assistant' })]);
    // Its name only with the owner's key.
    expect(JSON.stringify(listed)).not.toContain('plan.md');
    const cipher = new SessionCipher(Buffer.from(user.dataKey, 'base64'), sessionId);
    expect(cipher.readAttachmentMeta(listed[0]!.meta as string).name).toBe('plan.md');
  });
});
