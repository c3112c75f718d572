/**
 * The sessions service, which runs the session workflows, killed (SIGKILL) between a turn's
 * model call and its persist, against the real Temporal, PostgreSQL and Redis: when it comes
 * back, the workflow replays, persists the turn exactly once, and the model is not asked again.
 */
import { sessionWorkflowId } from '@lab/workflows/ids';
import { eventually, exactlyOnce, kill, killChildren, startSessionsProcess } from './crash-support';
import { type Platform, startPlatform, type User } from './platform-harness';
import { workflowHistoryText } from './temporal-history';

afterAll(killChildren);

describe('the sessions service killed between the model call and the persist', () => {
  let p: Platform;
  let user: User;

  beforeAll(async () => {
    p = await startPlatform('sessions-crash', { inProcessSessions: false });
    user = p.newUser();
  });

  afterAll(async () => {
    await p.close();
  });

  it('persists the turn once when the service comes back, without asking the model again', async () => {
    const first = await startSessionsProcess(p);
    const assistant = await p.createAssistant(user);
    const started = await p.call('POST', '/sessions', user, { assistantId: assistant.id });
    expect(started.status).toBe(201);
    const sessionId: string = started.body.session.id;

    // Hold the session's row: the turn's persist (a local activity of the workflow, in the
    // service) waits for it after the model has answered.
    const lock = await p.db.connect();
    await lock.query('begin');
    await lock.query('select id from sessions where id = $1 for update', [sessionId]);
    const request = {
      content: 'PERSIST-1 keep me',
    };
    const key = { 'idempotency-key': 'persist-1' };
    const lost = p.call('POST', `/sessions/${sessionId}/messages`, user, request, key);
    await eventually(async () => {
      const history = await workflowHistoryText(p, sessionWorkflowId(sessionId));
      return (history.raw.match(/EVENT_TYPE_ACTIVITY_TASK_COMPLETED/g) ?? []).length >= 2;
    });
    await eventually(
      async () =>
        (
          await p.db.query(
            `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`,
          )
        ).rows[0].n > 0,
    );
    await kill(first);
    await lock.query('rollback');
    lock.release();
    await expect(lost).rejects.toThrow(); // the connection died with the process

    await startSessionsProcess(p);
    const again = await p.call('POST', `/sessions/${sessionId}/messages`, user, request, key);
    expect(again.status).toBe(201);
    expect(again.body.reply).toContain('PERSIST-1');
    await exactlyOnce(p.db, sessionId, 'persist-1');
    expect(p.mock.requests({ match: 'PERSIST-1' })).toHaveLength(1);
  }, 120_000);
});
