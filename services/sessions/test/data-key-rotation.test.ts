/**
 * A key rotation's re-encryption (decision 0021) against the real PostgreSQL, S3, Temporal and
 * Redis: the `rotateDataKey` workflow on the sessions worker moves everything the service holds
 * under a user's old data key (messages, threads, recaps, turns, attachment objects and rows,
 * archives) to the new one, in batches with continue-as-new, resuming past work a killed batch
 * left behind; afterwards the API reads everything with the new key and nothing opens with the old.
 */
import { createHash, randomBytes } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DecryptionError,
  dataKeyId,
  decryptText,
  holdCallerKeys,
  holdRotationKeys,
  keyRingFromString,
  openAttachment,
  sealAttachment,
  TurnVault,
} from '@lab/platform';
import { encryptedDataConverter } from '@lab/platform/temporal';
import { rotateDataKeyWorkflowId } from '@lab/contracts';
import { Client, Connection } from '@temporalio/client';
import { eventually, storeClient } from './archive-support';
import { readArchive } from '../src/archives/archive-format';
import { type Platform, startPlatform, type User } from './platform-harness';
import { rotationRoute, sessionWithMessage } from './rotation-support';

describe('data key rotation (real PostgreSQL, S3, Temporal, Redis; mock LLM)', () => {
  let p: Platform;
  let store: ReturnType<typeof storeClient>;
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    p = await startPlatform('key-rotation');
    store = storeClient(p.sessionsConfig);
    connection = await Connection.connect({ address: p.sessionsConfig.temporalAddress });
    client = new Client({
      connection,
      namespace: p.sessionsConfig.temporalNamespace,
      dataConverter: encryptedDataConverter(keyRingFromString(p.sessionsConfig.payloadKeys)),
    });
  });

  afterAll(async () => {
    await store.clear();
    await connection.close();
    await p.close();
  });

  const rows = async (sql: string, params: unknown[] = []) => (await p.db.query(sql, params)).rows;

  async function upload(user: User, sessionId: string, name: string, text: string) {
    const [token] = [...p.sessionsConfig.internalTokens.keys()];
    const response = await fetch(`${p.sessionsUrl}/sessions/${sessionId}/attachments`, {
      method: 'POST',
      headers: {
        'x-internal-token': token ?? '',
        ...(await p.keyHeaders(user)),
        'content-type': 'text/plain; charset=utf-8',
        'x-filename': encodeURIComponent(name),
      },
      body: text,
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  }

  async function download(user: User, sessionId: string, id: string) {
    const [token] = [...p.sessionsConfig.internalTokens.keys()];
    const response = await fetch(`${p.sessionsUrl}/sessions/${sessionId}/attachments/${id}`, {
      headers: { 'x-internal-token': token ?? '', ...(await p.keyHeaders(user)) },
    });
    return { status: response.status, text: await response.text() };
  }

  const object = async (key: string) => {
    const answer = await store.s3.send(
      new GetObjectCommand({ Bucket: p.sessionsConfig.storage?.bucket, Key: key }),
    );
    return Buffer.from(
      await (answer.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
  };

  const failsWith = (open: () => unknown) => expect(open).toThrow(DecryptionError);

  /** Every run (open or closed) the visibility query finds. */
  async function runs(query: string) {
    const found: { workflowId: string; runId: string; status: string }[] = [];
    for await (const e of client.workflow.list({ query }))
      found.push({ workflowId: e.workflowId, runId: e.runId, status: e.status.name });
    return found;
  }

  it('moves every ciphertext to the new key, resumably, and the API reads it all', async () => {
    const user = p.newUser();
    const oldKey = Buffer.from(user.dataKey, 'base64');
    const assistant = await p.createAssistant(user);

    // An ended, archived session with an attachment.
    const ended = (await p.call('POST', '/sessions', user, { assistantId: assistant.id })).body
      .session.id as string;
    expect(
      (await p.call('POST', `/sessions/${ended}/messages`, user, { content: 'ROT-T1 tides' }))
        .status,
    ).toBe(201);
    const endedFile = await upload(user, ended, 'tides.txt', 'ROT-F1 spring tides\n');
    expect((await p.call('POST', `/sessions/${ended}/end`, user)).status).toBe(200);
    await eventually(async () => {
      const [row] = await rows('select archived_at from sessions where id = $1', [ended]);
      return row?.archived_at;
    }, 'the archive');

    // An active session with an attachment from before names were sealed.
    const active = (await p.call('POST', '/sessions', user, { assistantId: assistant.id })).body
      .session.id as string;
    expect(
      (await p.call('POST', `/sessions/${active}/messages`, user, { content: 'ROT-T2 reefs' }))
        .status,
    ).toBe(201);
    const legacyText = 'ROT-F2 legacy reef log\n';
    const legacyFile = await upload(user, active, 'legacy.txt', legacyText);
    const legacySha = createHash('sha256').update(legacyText).digest('hex');
    await p.db.query(`update attachments set meta = 'legacy.txt', mac = $2 where id = $1`, [
      legacyFile,
      legacySha,
    ]);

    // Their workflows' histories hold values sealed under the old key.
    const historiesOf = `WorkflowId = 'session:${ended}' OR WorkflowId = 'archive:${ended}' OR WorkflowId = 'session:${active}'`;
    const runsBefore = await runs(historiesOf);
    expect(runsBefore.map((r) => r.workflowId).sort()).toEqual(
      [`archive:${ended}`, `session:${active}`, `session:${ended}`].sort(),
    );

    const before = await p.call('GET', `/sessions/${active}`, user);
    const beforeEnded = await p.call('GET', `/sessions/${ended}`, user);
    expect(before.status).toBe(200);

    // A rotation: the new key; a batch killed after writing one object, before its commit.
    const newKey = randomBytes(32);
    const [endedRow] = await rows('select object_key from attachments where id = $1', [endedFile]);
    const killedWrite = openAttachment(await object(endedRow.object_key), oldKey, ended, endedFile);
    await store.s3.send(
      new PutObjectCommand({
        Bucket: p.sessionsConfig.storage?.bucket,
        Key: endedRow.object_key,
        Body: sealAttachment(killedWrite, newKey, ended, endedFile),
      }),
    );

    const vault = new TurnVault(p.redis, p.sessionsConfig.turnVaultKey);
    const keysRef = await holdRotationKeys(vault, { from: oldKey, to: newKey });
    const toKeyId = dataKeyId(newKey);
    const handle = await client.workflow.start('rotateDataKey', {
      taskQueue: p.sessionsConfig.sessionsTaskQueue,
      workflowId: rotateDataKeyWorkflowId(user.id, toKeyId),
      // One session per batch and per run: every batch resumes from the database's cursor.
      args: [{ userId: user.id, toKeyId, keysRef, batchSize: 1, batchesPerRun: 1 }],
    });
    expect(await handle.result()).toEqual({ done: 2, total: 2 });
    const [progress] = await rows('select * from key_rotations where user_id = $1', [user.id]);
    expect(progress).toMatchObject({ state: 'done', done: 2, total: 2, to_key_id: toKeyId });
    // Keys never in history: only the reference.
    const history = JSON.stringify(await handle.fetchHistory());
    expect(history).not.toContain(newKey.toString('base64'));
    expect(history).not.toContain(oldKey.toString('base64'));

    // (a) The API reads everything with the new key.
    const rotated: User = { id: user.id, dataKey: newKey.toString('base64') };
    const after = await p.call('GET', `/sessions/${active}`, rotated);
    expect(after.status).toBe(200);
    expect(after.body.messages).toEqual(before.body.messages);
    expect((await p.call('GET', `/sessions/${ended}`, rotated)).body.messages).toEqual(
      beforeEnded.body.messages,
    );
    expect(await download(rotated, active, legacyFile)).toEqual({ status: 200, text: legacyText });
    expect(await download(rotated, ended, endedFile)).toEqual({
      status: 200,
      text: 'ROT-F1 spring tides\n',
    });
    const listed = await p.call('GET', `/sessions/${active}/attachments`, rotated);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id: legacyFile, name: 'legacy.txt', sha256: legacySha }),
    ]);
    // The session goes on under the new key.
    expect(
      (await p.call('POST', `/sessions/${active}/messages`, rotated, { content: 'ROT-T3 more' }))
        .status,
    ).toBe(201);

    // (b) Nothing the service holds opens with the old key.
    const sessions = await rows(
      'select id, payload, recap, data_key_id, archive_key, archive_sha256 from sessions where user_id = $1',
      [user.id],
    );
    expect(sessions).toHaveLength(2);
    for (const s of sessions) {
      expect(s.data_key_id).toBe(toKeyId);
      failsWith(() => decryptText(s.payload, oldKey, `payload:${s.id}`));
      if (s.recap) failsWith(() => decryptText(s.recap, oldKey, `recap:${s.id}`));
    }
    const messages = await rows(
      'select m.session_id, m.content from messages m join sessions s on s.id = m.session_id where s.user_id = $1',
      [user.id],
    );
    expect(messages.length).toBeGreaterThanOrEqual(6);
    for (const m of messages) {
      failsWith(() => decryptText(m.content, oldKey, `message:${m.session_id}`));
      expect(decryptText(m.content, newKey, `message:${m.session_id}`)).toEqual(expect.any(String));
    }
    const turns = await rows(
      `select t.session_id, t.reply, t.request_hash, t.created_at < r.finished_at as before
       from turns t join sessions s on s.id = t.session_id
       join key_rotations r on r.user_id = s.user_id where s.user_id = $1`,
      [user.id],
    );
    for (const t of turns) {
      failsWith(() => decryptText(t.reply, oldKey, `message:${t.session_id}`));
      if (t.before) expect(t.request_hash).toBeNull();
    }
    const attachments = await rows(
      'select id, session_id, meta, mac, object_key from attachments where user_id = $1',
      [user.id],
    );
    expect(attachments).toHaveLength(2);
    for (const a of attachments) {
      expect(a.meta.startsWith('v1.')).toBe(true);
      expect(a.mac).not.toBe(legacySha);
      failsWith(() => decryptText(a.meta, oldKey, `attachment:${a.session_id}`));
      const sealed = await object(a.object_key);
      failsWith(() => openAttachment(sealed, oldKey, a.session_id, a.id));
    }
    const [archived] = sessions.filter((s) => s.archive_key);
    const archive = await object(archived.archive_key);
    expect(createHash('sha256').update(archive).digest('hex')).toBe(archived.archive_sha256);
    const lines = readArchive(archive).filter((l) => l.type === 'message');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      failsWith(() => decryptText(line.content as string, oldKey, `message:${ended}`));
      expect(decryptText(line.content as string, newKey, `message:${ended}`)).toEqual(
        expect.any(String),
      );
    }
    // The API's archive link serves the rewritten archive.
    const link = await p.call('GET', `/sessions/${ended}/archive`, rotated);
    expect(link.body.sha256).toBe(archived.archive_sha256);

    // (c) Temporal keeps no history sealed under the old key: every run from before is deleted
    // (the active session's was ended by its batch); its run since, under the new key, is kept.
    // Gone: neither its state nor its history is there (fetching it is NOT_FOUND).
    const gone = (run: { workflowId: string; runId: string }) =>
      client.workflow
        .getHandle(run.workflowId, run.runId)
        .fetchHistory()
        .then(
          () => false,
          (error: { code?: number; cause?: { code?: number } }) =>
            (error.cause?.code ?? error.code) === 5,
        );
    // The rotation is done once Temporal has been asked to delete them and lists none; the
    // deletion itself follows (seconds).
    for (const old of runsBefore) await eventually(() => gone(old), `${old.workflowId} deleted`);
    const current = await client.workflow.getHandle(`session:${active}`).describe();
    expect(current.status.name).toBe('RUNNING');
    expect(runsBefore.map((r) => r.runId)).not.toContain(current.runId);

    // (e) The same rotation again is the same (done) rotation: nothing moves twice.
    const again = await client.workflow.execute('rotateDataKey', {
      taskQueue: p.sessionsConfig.sessionsTaskQueue,
      workflowId: `${rotateDataKeyWorkflowId(user.id, toKeyId)}:again`,
      args: [{ userId: user.id, toKeyId, keysRef }],
    });
    expect(again).toEqual({ done: 2, total: 2 });
  }, 240_000);

  it('refuses to start without the keys in the vault, and without the matching target', async () => {
    const user = p.newUser();
    const vault = new TurnVault(p.redis, p.sessionsConfig.turnVaultKey);
    const other = randomBytes(32);
    const keysRef = await holdRotationKeys(vault, {
      from: Buffer.from(user.dataKey, 'base64'),
      to: other,
    });
    for (const [ref, toKeyId] of [
      ['rotation-keys:gone', dataKeyId(other)],
      [keysRef, dataKeyId(randomBytes(32))],
    ] as const) {
      await expect(
        client.workflow.execute('rotateDataKey', {
          taskQueue: p.sessionsConfig.sessionsTaskQueue,
          workflowId: rotateDataKeyWorkflowId(user.id, toKeyId),
          args: [{ userId: user.id, toKeyId, keysRef: ref }],
        }),
      ).rejects.toThrow(/failed/i);
    }
    expect(await rows('select * from key_rotations where user_id = $1', [user.id])).toEqual([]);
  });

  it('reports a rotation whose keys expired as paused, and a start with the keys resumes it', async () => {
    const user = p.newUser();
    const oldKey = Buffer.from(user.dataKey, 'base64');
    const sessionId = await sessionWithMessage(p, user, 'ROT-T5 dunes');
    // A rotation that started, then lost its keys (the vault entry expired): its workflow failed.
    const newKey = randomBytes(32);
    const toKeyId = dataKeyId(newKey);
    await p.db.query(`insert into key_rotations (user_id, to_key_id, total) values ($1, $2, 1)`, [
      user.id,
      toKeyId,
    ]);
    await expect(
      client.workflow.execute('rotateDataKey', {
        taskQueue: p.sessionsConfig.sessionsTaskQueue,
        workflowId: rotateDataKeyWorkflowId(user.id, toKeyId),
        args: [{ userId: user.id, toKeyId, keysRef: 'rotation-keys:expired' }],
      }),
    ).rejects.toThrow(/failed/i);

    const paused = await rotationRoute(p, user, 'GET', { dataKey: newKey });
    expect(paused).toMatchObject({ status: 200, body: { state: 'paused', done: 0, total: 1 } });
    const resumed = await rotationRoute(p, user, 'POST', {
      dataKey: newKey,
      previousDataKey: oldKey,
    });
    expect(resumed.status).toBe(202);
    expect(resumed.body.state).not.toBe('paused');
    await eventually(async () => {
      const progress = await rotationRoute(p, user, 'GET', { dataKey: newKey });
      return progress.body.state === 'done' ? progress.body : undefined;
    }, 'the resumed rotation to finish');
    const [message] = await rows(
      'select content from messages where session_id = $1 and position = 1',
      [sessionId],
    );
    expect(decryptText(message.content, newKey, `message:${sessionId}`)).toBe('ROT-T5 dunes');
  });

  it('starts through the internal route, reports progress, and a repeated start is the same rotation', async () => {
    const user = p.newUser();
    const oldKey = Buffer.from(user.dataKey, 'base64');
    const sessionId = await sessionWithMessage(p, user, 'ROT-T4 kelp');

    const newKey = randomBytes(32);
    const send = (method: 'GET' | 'POST', keys: Parameters<typeof holdCallerKeys>[1]) =>
      rotationRoute(p, user, method, keys);

    const missing = await send('POST', { dataKey: newKey });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('previous_data_key_required');
    expect((await send('GET', { dataKey: newKey })).status).toBe(404);

    const started = await send('POST', { dataKey: newKey, previousDataKey: oldKey });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ state: 'running', done: 0, total: 1 });
    const done = await eventually(async () => {
      const progress = await send('GET', { dataKey: newKey });
      return progress.body.state === 'done' ? progress.body : undefined;
    }, 'the rotation to finish');
    expect(done).toMatchObject({
      state: 'done',
      done: 1,
      total: 1,
      finishedAt: expect.any(String),
    });

    const repeated = await send('POST', { dataKey: newKey, previousDataKey: oldKey });
    expect(repeated).toEqual({ status: 202, body: done });

    const [message] = await rows(
      'select content from messages where session_id = $1 and position = 1',
      [sessionId],
    );
    failsWith(() => decryptText(message.content, oldKey, `message:${sessionId}`));
    expect(decryptText(message.content, newKey, `message:${sessionId}`)).toBe('ROT-T4 kelp');
  });

  it('reads a session not yet moved with the previous key, and a session started during the rotation with the new one', async () => {
    const user = p.newUser();
    const oldKey = Buffer.from(user.dataKey, 'base64');
    const assistant = await p.createAssistant(user);
    const unmoved = (await p.call('POST', '/sessions', user, { assistantId: assistant.id })).body
      .session.id as string;
    expect(
      (await p.call('POST', `/sessions/${unmoved}/messages`, user, { content: 'ROT-R1 shoals' }))
        .status,
    ).toBe(201);
    const fileId = await upload(user, unmoved, 'shoals.txt', 'ROT-R2 shoal chart\n');
    const [row] = await rows('select data_key_id from sessions where id = $1', [unmoved]);
    expect(row.data_key_id).toBe(dataKeyId(oldKey));

    // The gateway during a rotation: the new key, and the previous one beside it.
    const newKey = randomBytes(32);
    const vault = new TurnVault(p.redis, p.sessionsConfig.turnVaultKey);
    const during = async (previous: boolean) => ({
      'x-key-ref': await holdCallerKeys(vault, {
        dataKey: newKey,
        ...(previous ? { previousDataKey: oldKey } : {}),
      }),
    });
    const read = await p.call('GET', `/sessions/${unmoved}`, user, undefined, await during(true));
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body.messages)).toContain('ROT-R1 shoals');
    const listed = await p.call(
      'GET',
      `/sessions/${unmoved}/attachments`,
      user,
      undefined,
      await during(true),
    );
    expect(listed.body.items).toEqual([expect.objectContaining({ name: 'shoals.txt' })]);
    const file = await p.call(
      'GET',
      `/sessions/${unmoved}/attachments/${fileId}`,
      user,
      undefined,
      await during(true),
    );
    expect(file).toMatchObject({ status: 200, text: 'ROT-R2 shoal chart\n' });
    // Without the previous key the unmoved session does not open.
    const without = await p.call(
      'GET',
      `/sessions/${unmoved}`,
      user,
      undefined,
      await during(false),
    );
    expect(without.status).toBe(403);
    expect(without.text).not.toContain('ROT-R1');

    // A session started now is under the new key and names it: read with it, not the previous.
    const started = await p.call(
      'POST',
      '/sessions',
      user,
      { assistantId: assistant.id },
      await during(true),
    );
    expect(started.status).toBe(201);
    const fresh = started.body.session.id as string;
    const [freshRow] = await rows('select data_key_id from sessions where id = $1', [fresh]);
    expect(freshRow.data_key_id).toBe(dataKeyId(newKey));
    const freshRead = await p.call(
      'GET',
      `/sessions/${fresh}`,
      user,
      undefined,
      await during(true),
    );
    expect(freshRead.status).toBe(200);
    expect(freshRead.body.messages.length).toBeGreaterThan(0);
  });
});
