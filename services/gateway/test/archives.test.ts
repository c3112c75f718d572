import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { type E2ePlatform, startE2ePlatform } from './support/e2e-platform';

const openAiKey = () => `sk-archive-${randomBytes(12).toString('hex')}`;

describe('archives and attachments through the gateway', () => {
  let p: E2ePlatform;

  beforeAll(async () => {
    p = await startE2ePlatform('gateway_archives');
  }, 120_000);

  afterAll(async () => {
    await p?.close();
  });

  it('uploads, lists and downloads a file, refuses it to another user, and links the archive', async () => {
    const owner = openAiKey();
    const stranger = openAiKey();
    for (const key of [owner, stranger])
      expect((await p.call('POST', '/v1/sign-in', key)).status).toBe(200);
    const assistant = await p.call('POST', '/v1/assistants', owner, {
      name: 'Archive Coach',
      tagLine: 'Keeps files',
      description: 'An assistant for the archive tests.',
      sessionType: 'brainstorm',
      initialPrompt: 'You are a helpful assistant for tests. Answer briefly.',
      summaryPrompt: 'Summarise the conversation briefly.',
      modelConfig: {
        model: 'gpt-4o-mini',
        maxTokens: 200,
        temperature: 0.5,
        topP: 1,
        frequencyPenalty: 0,
        presencePenalty: 0,
      },
    });
    expect(assistant.status).toBe(201);
    const started = await p.call('POST', '/v1/sessions', owner, { assistantId: assistant.body.id });
    const sessionId = started.body.session.id as string;

    const notes = 'Tide table: GW-ATTACH-3 high water at noon.';
    const uploaded = await p.call('POST', `/v1/sessions/${sessionId}/attachments`, owner, notes, {
      'content-type': 'text/plain',
      'x-filename': 'tides.txt',
    });
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({ name: 'tides.txt', size: notes.length, origin: 'user' });
    const refusedType = await p.call('POST', `/v1/sessions/${sessionId}/attachments`, owner, 'x', {
      'content-type': 'application/x-sh',
      'x-filename': 'run.sh',
    });
    expect(refusedType.status).toBe(415);
    const tooLarge = await p.call(
      'POST',
      `/v1/sessions/${sessionId}/attachments`,
      owner,
      'x'.repeat(1024 * 1024 + 1),
      { 'content-type': 'text/plain', 'x-filename': 'big.txt' },
    );
    expect(tooLarge.status).toBe(413);

    const list = await p.call('GET', `/v1/sessions/${sessionId}/attachments`, owner);
    expect(list.body.items.map((a: { id: string }) => a.id)).toEqual([uploaded.body.id]);
    const file = `/v1/sessions/${sessionId}/attachments/${uploaded.body.id}`;
    const downloaded = await p.call('GET', file, owner);
    expect(downloaded.status).toBe(200);
    expect(downloaded.text).toBe(notes);
    expect(downloaded.headers.get('x-checksum-sha256')).toBe(uploaded.body.sha256);
    expect((await p.call('GET', file, stranger)).status).toBe(404);
    expect((await p.call('GET', `/v1/sessions/${sessionId}/attachments`, stranger)).status).toBe(
      404,
    );

    // The file is in the model's context of the next turn.
    p.mock.clearRequests();
    await p.call('POST', `/v1/sessions/${sessionId}/messages`, owner, {
      content: 'When is high water? GW-Q-3',
    });
    expect(JSON.stringify(p.mock.requests({ match: 'GW-Q-3' })[0]?.body)).toContain('GW-ATTACH-3');

    expect((await p.call('GET', `/v1/sessions/${sessionId}/archive`, owner)).body.error.code).toBe(
      'not_archived',
    );
    expect((await p.call('POST', `/v1/sessions/${sessionId}/end`, owner)).status).toBe(200);
    let link = await p.call('GET', `/v1/sessions/${sessionId}/archive`, owner);
    for (let i = 0; link.status === 409 && i < 120; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      link = await p.call('GET', `/v1/sessions/${sessionId}/archive`, owner);
    }
    expect(link.status).toBe(200);
    expect((await p.call('GET', `/v1/sessions/${sessionId}/archive`, stranger)).status).toBe(404);
    const archive = await fetch(link.body.url);
    expect(archive.status).toBe(200);
    const lines = gunzipSync(Buffer.from(await archive.arrayBuffer()))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; id?: string });
    expect(lines[0]).toMatchObject({ type: 'archive', sessionId });
    // The attachment is listed; its name is sealed with the rest (decision 0017).
    const listed = lines.filter((l) => l.type === 'attachment');
    expect(listed.map((l) => l.id)).toEqual([uploaded.body.id]);
    expect(JSON.stringify(listed)).not.toContain('tides.txt');
    expect(JSON.stringify(lines)).not.toContain('GW-Q-3');
  });
});
