/**
 * A session's workflow ends the session itself once nobody has used it for SESSION_IDLE_MINUTES
 * (here 3 seconds): without a recap (no key is at hand), `session.ended` with reason `idle`, the
 * archive written, the workflow completed. A turn starts the wait over.
 */
import { keyRingFromString } from '@lab/platform';
import { encryptedDataConverter } from '@lab/platform/temporal';
import { sessionWorkflowId } from '@lab/workflows/ids';
import { Client, Connection } from '@temporalio/client';
import { eventually } from './archive-support';
import { type Platform, startPlatform, type User } from './platform-harness';

describe('an idle session (real Temporal, PostgreSQL, Redis and S3; mock LLM)', () => {
  let p: Platform;
  let user: User;
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    p = await startPlatform('session-idle', { sessionsEnv: { SESSION_IDLE_MINUTES: '0.05' } });
    user = p.newUser();
    connection = await Connection.connect({ address: p.sessionsConfig.temporalAddress });
    client = new Client({
      connection,
      namespace: p.sessionsConfig.temporalNamespace,
      dataConverter: encryptedDataConverter(keyRingFromString(p.sessionsConfig.payloadKeys)),
    });
  });

  afterAll(async () => {
    await connection.close();
    await p.close();
  });

  const row = async (id: string) =>
    (
      await p.db.query(
        'select status, ended_reason, recap, archived_at from sessions where id = $1',
        [id],
      )
    ).rows[0];

  it('is ended by its workflow after the idle period, then archived; a turn starts the wait over', async () => {
    const assistant = await p.createAssistant(user);
    const started = await p.call('POST', '/sessions', user, { assistantId: assistant.id });
    expect(started.status).toBe(201);
    const sessionId: string = started.body.session.id;
    // Turns 2 s apart keep it alive past the 3 s period.
    for (let i = 0; i < 2; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const turn = await p.call('POST', `/sessions/${sessionId}/messages`, user, {
        content: `still here ${i}`,
      });
      expect(turn.status).toBe(201);
    }
    expect((await row(sessionId)).status).toBe('active');

    const result = await client.workflow.getHandle(sessionWorkflowId(sessionId)).result();
    expect(result).toEqual({ sessionId, reason: 'idle' });
    expect(await row(sessionId)).toMatchObject({
      status: 'ended',
      ended_reason: 'idle',
      recap: null,
    });
    const events = await p.db.query(
      `select type, payload from outbox where aggregate_id = $1 and type = 'session.ended'`,
      [sessionId],
    );
    expect(events.rows).toHaveLength(1);
    expect(events.rows[0].payload).toMatchObject({ reason: 'idle', turns: 3 });
    await eventually(async () => (await row(sessionId)).archived_at !== null, 'the archive');

    // Ended: a turn is refused, and ending it again says why there is no recap.
    const late = await p.call('POST', `/sessions/${sessionId}/messages`, user, { content: 'hi' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('session_ended');
    const end = await p.call('POST', `/sessions/${sessionId}/end`, user);
    expect(end.status).toBe(409);
    expect(end.body.error.message).toMatch(/idle/);
  }, 60_000);
});
