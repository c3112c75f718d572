/**
 * The sessions service, which runs a key rotation's batches, killed (SIGKILL) in the middle of a
 * batch, against the real Temporal, PostgreSQL, S3 and Redis: the first session of the batch is
 * committed, the second is waiting for its row; when a new process comes up, Temporal gives the
 * batch to it (the heartbeat timeout), which resumes from the database's cursor and finishes the
 * rotation, every session moved once.
 */
import { randomBytes } from 'node:crypto';
import { decryptText } from '@lab/platform';
import { eventually, kill, killChildren, startSessionsProcess } from './crash-support';
import { type Platform, startPlatform, type User } from './platform-harness';
import { rotationRoute, sessionWithMessage } from './rotation-support';

afterAll(killChildren);

describe('the sessions service killed in the middle of a key rotation batch', () => {
  let p: Platform;
  let user: User;

  const rotation = (method: 'GET' | 'POST', keys: { dataKey: Buffer; previousDataKey?: Buffer }) =>
    rotationRoute(p, user, method, keys);

  beforeAll(async () => {
    p = await startPlatform('rotation-crash', { inProcessSessions: false });
    user = p.newUser();
  });

  afterAll(async () => {
    await p.close();
  });

  it('finishes the rotation on the next process, moving each session once', async () => {
    const first = await startSessionsProcess(p);
    const oldKey = Buffer.from(user.dataKey, 'base64');
    const assistant = await p.createAssistant(user);
    for (const word of ['CRASH-1 basalt', 'CRASH-2 gneiss', 'CRASH-3 slate'])
      await sessionWithMessage(p, user, word, assistant.id);
    const { rows: ids } = await p.db.query<{ id: string }>(
      'select id from sessions where user_id = $1 order by id',
      [user.id],
    );
    expect(ids).toHaveLength(3);

    // Hold the second session's row: the batch commits the first, then waits for it.
    const lock = await p.db.connect();
    await lock.query('begin');
    await lock.query('select id from sessions where id = $1 for update', [ids[1]?.id]);
    const newKey = randomBytes(32);
    const started = await rotation('POST', { dataKey: newKey, previousDataKey: oldKey });
    expect(started).toMatchObject({ status: 202, body: { state: 'running', done: 0, total: 3 } });
    await eventually(
      async () =>
        (await p.db.query('select done from key_rotations where user_id = $1', [user.id])).rows[0]
          ?.done === 1,
    );
    await kill(first);
    await lock.query('rollback');
    lock.release();

    await startSessionsProcess(p);
    await eventually(
      async () => (await rotation('GET', { dataKey: newKey })).body.state === 'done',
      120_000,
    );
    const progress = await rotation('GET', { dataKey: newKey });
    expect(progress.body).toMatchObject({ state: 'done', done: 3, total: 3 });

    // Every session moved, once: each message opens with the new key and none with the old.
    const { rows: messages } = await p.db.query<{ session_id: string; content: string }>(
      `select m.session_id, m.content from messages m join sessions s on s.id = m.session_id
        where s.user_id = $1`,
      [user.id],
    );
    expect(messages.length).toBeGreaterThanOrEqual(6);
    const texts = messages.map((m) => decryptText(m.content, newKey, `message:${m.session_id}`));
    expect(texts).toEqual(
      expect.arrayContaining(['CRASH-1 basalt', 'CRASH-2 gneiss', 'CRASH-3 slate']),
    );
    for (const m of messages) {
      expect(() => decryptText(m.content, oldKey, `message:${m.session_id}`)).toThrow();
    }
  }, 240_000);
});
