import { createHash } from 'node:crypto';
import { decryptText, DecryptionError, keyRingFromString } from '@lab/platform';
import { encryptedDataConverter } from '@lab/platform/temporal';
import { Client, Connection } from '@temporalio/client';
import { readArchive } from '../src/archives/archive-format';
import { ensureIdleSchedule } from '../src/archives/idle-schedule';
import { eventually, storeClient } from './archive-support';
import { type Platform, startPlatform, type User } from './platform-harness';

describe('session archives (real S3, PostgreSQL, Temporal; mock LLM)', () => {
  let p: Platform;
  let store: ReturnType<typeof storeClient>;

  beforeAll(async () => {
    p = await startPlatform('archives');
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

  const archivedRow = (sessionId: string) =>
    eventually(async () => {
      const [row] = await rows('select * from sessions where id = $1', [sessionId]);
      return row?.archived_at ? row : undefined;
    }, `session ${sessionId} archived`);

  it('archives an ended session; the owner downloads it and only the owner’s key reads it', async () => {
    const user = p.newUser();
    const sessionId = await startSession(user);
    const said = 'Tell me about ARCHIVE-T1 the coral lantern';
    expect(
      (await p.call('POST', `/sessions/${sessionId}/messages`, user, { content: said })).status,
    ).toBe(201);

    const early = await p.call('GET', `/sessions/${sessionId}/archive`, user);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('not_archived');

    const ended = await p.call('POST', `/sessions/${sessionId}/end`, user);
    expect(ended.status).toBe(200);
    const row = await archivedRow(sessionId);
    expect(row.ended_reason).toBe('user');
    expect(row.archive_key).toBe(`${store.prefix}archives/${user.id}/${sessionId}.jsonl.gz`);
    expect(await store.keys(`archives/${user.id}/`)).toEqual([row.archive_key]);

    const stranger = p.newUser();
    expect((await p.call('GET', `/sessions/${sessionId}/archive`, stranger)).status).toBe(404);

    const link = await p.call('GET', `/sessions/${sessionId}/archive`, user);
    expect(link.status).toBe(200);
    expect(link.body).toMatchObject({
      format: 'lab.session-archive.v2+jsonl+gzip',
      sha256: row.archive_sha256,
      size: Number(row.archive_size),
    });
    const ttl = Date.parse(link.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(200_000);
    expect(ttl).toBeLessThanOrEqual(300_000);

    const download = await fetch(link.body.url);
    expect(download.status).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(link.body.sha256);
    const lines = readArchive(bytes);
    expect(lines[0]).toMatchObject({
      type: 'archive',
      format: 'lab.session-archive',
      version: 2,
      sessionId,
      userId: user.id,
      endedReason: 'user',
      counts: { messages: 3, turns: 2, attachments: 0 },
      encryption: { associatedData: { message: `message:${sessionId}` } },
    });
    // Nothing in it is readable without the key.
    expect(JSON.stringify(lines)).not.toContain('ARCHIVE-T1');

    const key = Buffer.from(user.dataKey, 'base64');
    const messages = lines.filter((l) => l.type === 'message');
    const texts = messages.map((m) =>
      decryptText(m.content as string, key, `message:${sessionId}`),
    );
    const resumed = await p.call('GET', `/sessions/${sessionId}`, user);
    expect(texts).toEqual(resumed.body.messages.map((m: { content: string }) => m.content));
    expect(texts[1]).toBe(said);
    const recap = lines.find((l) => l.type === 'recap');
    expect(decryptText(recap?.content as string, key, `recap:${sessionId}`)).toBe(ended.body.recap);

    const otherKey = Buffer.from(stranger.dataKey, 'base64');
    expect(() =>
      decryptText(messages[1]?.content as string, otherKey, `message:${sessionId}`),
    ).toThrow(DecryptionError);

    const events = await rows(
      `select payload from outbox where type = 'session.archived' and aggregate_id = $1`,
      [sessionId],
    );
    expect(events).toHaveLength(1);
    expect(events[0].payload).toMatchObject({ sessionId, messages: 3, attachments: 0 });
  });

  it('the idle schedule ends idle sessions without a recap and archives them; active ones stay', async () => {
    const user = p.newUser();
    const idle = await startSession(user);
    const fresh = await startSession(user);
    await p.db.query(`update sessions set modified_at = now() - interval '2 hours' where id = $1`, [
      idle,
    ]);

    const connection = await Connection.connect({ address: p.sessionsConfig.temporalAddress });
    const client = new Client({
      connection,
      namespace: p.sessionsConfig.temporalNamespace,
      dataConverter: encryptedDataConverter(keyRingFromString(p.sessionsConfig.payloadKeys)),
    });
    const config = {
      ...p.sessionsConfig,
      archiving: { ...p.sessionsConfig.archiving, schedule: true },
    };
    const schedule = await ensureIdleSchedule(client, config);
    try {
      // Set up again at the next start: updated, not duplicated.
      await ensureIdleSchedule(client, config);
      await schedule.trigger();

      const row = await archivedRow(idle);
      expect(row).toMatchObject({ status: 'ended', ended_reason: 'idle', recap: null });
      const [freshRow] = await rows('select status, archived_at from sessions where id = $1', [
        fresh,
      ]);
      expect(freshRow).toMatchObject({ status: 'active', archived_at: null });
      const ended = await rows(
        `select payload from outbox where type = 'session.ended' and aggregate_id = $1`,
        [idle],
      );
      expect(ended).toHaveLength(1);
      expect(ended[0].payload).toMatchObject({ sessionId: idle, reason: 'idle' });

      const lines = readArchive(
        Buffer.from(
          await (
            await fetch((await p.call('GET', `/sessions/${idle}/archive`, user)).body.url)
          ).arrayBuffer(),
        ),
      );
      expect(lines.some((l) => l.type === 'recap')).toBe(false);
      const opening = lines.find((l) => l.type === 'message');
      expect(
        decryptText(
          opening?.content as string,
          Buffer.from(user.dataKey, 'base64'),
          `message:${idle}`,
        ),
      ).toMatch(/\S/);
    } finally {
      await schedule.delete();
      await connection.close();
    }
  });
});
