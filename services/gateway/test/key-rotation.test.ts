/**
 * A bring-your-own-key rotation end to end through the public API (decision 0021), on the real
 * PostgreSQL, Temporal, Redis and S3: `POST /v1/me/openai-key` issues a new data key and the
 * sessions worker moves the history to it; afterwards history, attachments and archives read
 * with the new key, the old OpenAI key signs in to nothing of this user, the old data key
 * (captured, as an attacker with the old key and a copy of the users row would) opens nothing
 * the platform holds, and the previous key is gone from the users row.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { gunzipSync } from 'node:zlib';
import {
  DecryptionError,
  decryptText,
  deriveWrappingKey,
  openAttachment,
  unwrapDataKey,
} from '@lab/platform';
import { requireVariable } from '@lab/platform/testing';
import { Pool } from 'pg';
import { type E2ePlatform, openAiKey, startE2ePlatform } from './support/e2e-platform';

const assistantDraft = {
  name: 'Rotation Coach',
  tagLine: 'Keeps history',
  description: 'An assistant for the key rotation tests.',
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
};

async function until<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 240; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('key rotation through the gateway', () => {
  let p: E2ePlatform;
  let db: Pool;
  let s3: S3Client;

  beforeAll(async () => {
    p = await startE2ePlatform('gateway_key_rotation');
    db = new Pool({ connectionString: requireVariable('DATABASE_URL'), max: 2 });
    s3 = new S3Client({
      endpoint: requireVariable('S3_ENDPOINT'),
      region: process.env.S3_REGION ?? 'us-east-1',
      forcePathStyle: true,
      credentials: {
        accessKeyId: requireVariable('S3_ACCESS_KEY_ID'),
        secretAccessKey: requireVariable('S3_SECRET_ACCESS_KEY'),
      },
    });
  }, 120_000);

  afterAll(async () => {
    s3?.destroy();
    await db?.end();
    await p?.close();
  });

  const rows = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows;
  const object = async (key: string) => {
    const answer = await s3.send(
      new GetObjectCommand({ Bucket: requireVariable('S3_BUCKET'), Key: key }),
    );
    return Buffer.from(
      await (answer.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
  };
  const userRow = async (userId: string) =>
    (
      await rows(
        `select wrapped_data_key, previous_wrapped_data_key, key_salt
           from "${p.schemas.gateway}".users where id = $1`,
        [userId],
      )
    )[0] as {
      wrapped_data_key: string;
      previous_wrapped_data_key: string | null;
      key_salt: string;
    };
  const fails = (open: () => unknown) => expect(open).toThrow(DecryptionError);

  it('moves the history to a new data key: readable with the new key, nothing opens with the old', async () => {
    const oldKey = openAiKey();
    const newKey = openAiKey();
    const signedIn = await p.call('POST', '/v1/sign-in', oldKey);
    expect(signedIn.status).toBe(200);
    const userId = signedIn.body.id as string;
    const assistant = await p.call('POST', '/v1/assistants', oldKey, assistantDraft);
    expect(assistant.status).toBe(201);

    // An ended (archived) session with an attachment, and an active one.
    const ended = (await p.call('POST', '/v1/sessions', oldKey, { assistantId: assistant.body.id }))
      .body.session.id as string;
    await p.call('POST', `/v1/sessions/${ended}/messages`, oldKey, { content: 'KR-T1 tides' });
    const notes = 'KR-F1 neap tides at dawn.';
    const file = await p.call('POST', `/v1/sessions/${ended}/attachments`, oldKey, notes, {
      'content-type': 'text/plain',
      'x-filename': 'tides.txt',
    });
    expect(file.status).toBe(201);
    expect((await p.call('POST', `/v1/sessions/${ended}/end`, oldKey)).status).toBe(200);
    await until(async () => {
      const link = await p.call('GET', `/v1/sessions/${ended}/archive`, oldKey);
      return link.status === 200 ? true : undefined;
    }, 'the archive');
    const active = (
      await p.call('POST', '/v1/sessions', oldKey, { assistantId: assistant.body.id })
    ).body.session.id as string;
    await p.call('POST', `/v1/sessions/${active}/messages`, oldKey, { content: 'KR-T2 reefs' });
    // A stored response (decision 0022): a response chain's session, its envelope sealed.
    const model = `assistant/${assistant.body.code}`;
    const stored = await p.call('POST', '/v1/responses', oldKey, {
      model,
      store: true,
      instructions: 'KR-I1 be brief',
      input: 'KR-R1 currents',
    });
    expect(stored.status).toBe(200);
    const before = {
      ended: (await p.call('GET', `/v1/sessions/${ended}`, oldKey)).body.messages,
      active: (await p.call('GET', `/v1/sessions/${active}`, oldKey)).body.messages,
      response: (await p.call('GET', `/v1/responses/${stored.body.id}`, oldKey)).body,
    };
    expect(before.response).toEqual(stored.body);
    expect(JSON.stringify(before)).toContain('KR-T2 reefs');

    // The old data key, as whoever holds the old OpenAI key and a copy of the users row has it.
    const original = await userRow(userId);
    const oldDataKey = unwrapDataKey(
      original.wrapped_data_key,
      deriveWrappingKey(oldKey, original.key_salt),
    );
    expect(original.previous_wrapped_data_key).toBeNull();
    expect((await p.call('GET', '/v1/me/openai-key/rotation', oldKey)).status).toBe(404);

    const rotated = await p.call('POST', '/v1/me/openai-key', oldKey, { newKey });
    expect(rotated.status).toBe(202);
    expect(rotated.body).toMatchObject({ total: 3, startedAt: expect.any(String) });
    expect(['running', 'done']).toContain(rotated.body.state);

    // At once: the old key signs in to nothing of this user; the previous key is kept under the new.
    const stale = await p.call('POST', '/v1/sign-in', oldKey);
    expect(stale.body.id).not.toBe(userId);
    expect((await p.call('GET', `/v1/sessions/${active}`, oldKey)).status).toBe(404);
    const during = await userRow(userId);
    const newDataKey = unwrapDataKey(
      during.wrapped_data_key,
      deriveWrappingKey(newKey, during.key_salt),
    );
    expect(newDataKey.equals(oldDataKey)).toBe(false);
    if (during.previous_wrapped_data_key) {
      const previous = unwrapDataKey(
        during.previous_wrapped_data_key,
        deriveWrappingKey(newKey, during.key_salt),
      );
      expect(previous.equals(oldDataKey)).toBe(true);
    }
    // Readable with the new key whether or not a session has moved yet.
    expect((await p.call('GET', `/v1/sessions/${active}`, newKey)).body.messages).toEqual(
      before.active,
    );

    // Another key while it runs, or a repeat: the same rotation, or 409 for another key.
    const repeat = await p.call('POST', '/v1/me/openai-key', newKey, { newKey });
    expect(repeat.status).toBe(202);
    expect(repeat.body.startedAt).toBe(rotated.body.startedAt);

    const done = await until(async () => {
      const progress = await p.call('GET', '/v1/me/openai-key/rotation', newKey);
      expect(progress.status).toBe(200);
      return progress.body.state === 'done' ? progress.body : undefined;
    }, 'the rotation to finish');
    expect(done).toMatchObject({ done: 3, total: 3, finishedAt: expect.any(String) });
    expect((await userRow(userId)).previous_wrapped_data_key).toBeNull();
    const again = await p.call('POST', '/v1/me/openai-key', newKey, { newKey });
    expect(again).toMatchObject({ status: 202, body: done });

    // History, attachment and archive read with the new key.
    expect((await p.call('GET', `/v1/sessions/${ended}`, newKey)).body.messages).toEqual(
      before.ended,
    );
    expect((await p.call('GET', `/v1/sessions/${active}`, newKey)).body.messages).toEqual(
      before.active,
    );
    const downloaded = await p.call(
      'GET',
      `/v1/sessions/${ended}/attachments/${file.body.id}`,
      newKey,
    );
    expect(downloaded).toMatchObject({ status: 200, text: notes });
    const link = await p.call('GET', `/v1/sessions/${ended}/archive`, newKey);
    expect(link.status).toBe(200);
    const archive = gunzipSync(Buffer.from(await (await fetch(link.body.url)).arrayBuffer()))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; content?: string });
    const archived = archive.filter((line) => line.type === 'message');
    expect(archived.length).toBeGreaterThanOrEqual(3);
    for (const line of archived) {
      expect(decryptText(line.content as string, newDataKey, `message:${ended}`)).toEqual(
        expect.any(String),
      );
      fails(() => decryptText(line.content as string, oldDataKey, `message:${ended}`));
    }
    // The stored response reads as it was created, and its chain goes on under the new key
    // (its workflow was dropped: the turn starts a new one from the moved row).
    expect((await p.call('GET', `/v1/responses/${stored.body.id}`, newKey)).body).toEqual(
      before.response,
    );
    const continued = await p.call('POST', '/v1/responses', newKey, {
      model,
      store: true,
      previous_response_id: stored.body.id,
      input: 'KR-R2 more currents',
    });
    expect(continued.status).toBe(200);
    expect(
      p.mock
        .requests({ match: 'KR-R2' })
        .map((r) => JSON.stringify(r.body))
        .join(''),
    ).toContain('KR-R1 currents');
    // The session goes on under the new key.
    expect(
      (await p.call('POST', `/v1/sessions/${active}/messages`, newKey, { content: 'KR-T3 more' }))
        .status,
    ).toBe(201);

    // The old data key opens nothing the sessions service holds: rows and objects.
    const s = p.schemas.sessions;
    const sessions = await rows(
      `select id, payload, recap, archive_key from "${s}".sessions where user_id = $1`,
      [userId],
    );
    expect(sessions).toHaveLength(3);
    for (const row of sessions) {
      fails(() => decryptText(row.payload, oldDataKey, `payload:${row.id}`));
      if (row.recap) fails(() => decryptText(row.recap, oldDataKey, `recap:${row.id}`));
    }
    const messages = await rows(
      `select m.session_id, m.content from "${s}".messages m
         join "${s}".sessions x on x.id = m.session_id where x.user_id = $1`,
      [userId],
    );
    expect(messages.length).toBeGreaterThanOrEqual(6);
    for (const m of messages)
      fails(() => decryptText(m.content, oldDataKey, `message:${m.session_id}`));
    const turns = await rows(
      `select t.session_id, t.reply from "${s}".turns t
         join "${s}".sessions x on x.id = t.session_id where x.user_id = $1`,
      [userId],
    );
    for (const t of turns) fails(() => decryptText(t.reply, oldDataKey, `message:${t.session_id}`));
    const responses = await rows(
      `select session_id, envelope from "${s}".responses where user_id = $1`,
      [userId],
    );
    expect(responses).toHaveLength(2);
    for (const r of responses)
      fails(() => decryptText(r.envelope, oldDataKey, `response:${r.session_id}`));
    const attachments = await rows(
      `select id, session_id, meta, object_key from "${s}".attachments where user_id = $1`,
      [userId],
    );
    expect(attachments).toHaveLength(1);
    for (const a of attachments) {
      fails(() => decryptText(a.meta, oldDataKey, `attachment:${a.session_id}`));
      const sealed = await object(a.object_key);
      fails(() => openAttachment(sealed, oldDataKey, a.session_id, a.id));
      expect(openAttachment(sealed, newDataKey, a.session_id, a.id).toString('utf8')).toBe(notes);
    }
  });

  it('refuses a second rotation while one runs and answers errors in the error model', async () => {
    const key = openAiKey();
    expect((await p.call('POST', '/v1/sign-in', key)).status).toBe(200);
    const same = await p.call('POST', '/v1/me/openai-key', key, { newKey: key });
    expect(same.status).toBe(409);
    const bad = await p.call('POST', '/v1/me/openai-key', key, { newKey: 'not a key' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    const oidc = await p.oidc.sign({ sub: 'rotation-oidc-user' });
    expect((await p.call('GET', '/v1/me/openai-key/rotation', oidc)).status).toBe(404);

    // A rotation still running refuses a rotation to another key (409); once done, it is allowed.
    const next = openAiKey();
    expect((await p.call('POST', '/v1/me/openai-key', key, { newKey: next })).status).toBe(202);
    const userId = (await p.call('GET', '/v1/me', next)).body.id as string;
    const progressRow = `"${p.schemas.sessions}".key_rotations`;
    await until(async () => {
      const [r] = await rows(`select state from ${progressRow} where user_id = $1`, [userId]);
      return r?.state === 'done' ? true : undefined;
    }, 'the empty rotation');
    expect((await userRow(userId)).previous_wrapped_data_key).not.toBeNull();
    await db.query(`update ${progressRow} set state = 'running' where user_id = $1`, [userId]);
    const third = openAiKey();
    const refused = await p.call('POST', '/v1/me/openai-key', next, { newKey: third });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('rotation_in_progress');
    expect((await p.call('GET', '/v1/me', third)).body.id).not.toBe(userId);
    await db.query(`update ${progressRow} set state = 'done' where user_id = $1`, [userId]);
    const fourth = openAiKey();
    expect((await p.call('POST', '/v1/me/openai-key', next, { newKey: fourth })).status).toBe(202);
    expect((await p.call('GET', '/v1/me', fourth)).body.id).toBe(userId);
  });
});
