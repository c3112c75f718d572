/**
 * Object storage goes away while a session is being archived, then comes back: the session ends
 * at once, is not marked archived while the store is out, and ends up archived exactly once.
 * The outage is a TCP proxy of this suite's own between the service and the shared MinIO, so
 * no other suite notices it.
 */
import { keyRingFromString } from '@lab/platform';
import { encryptedDataConverter } from '@lab/platform/temporal';
import { requireVariable, TcpProxy } from '@lab/platform/testing';
import { archiveSessionWorkflowId } from '@lab/workflows/ids';
import { Client, Connection } from '@temporalio/client';
import { eventually, storeClient } from './archive-support';
import { type Platform, startPlatform } from './platform-harness';

describe('archiving through an object-storage outage', () => {
  const realEndpoint = requireVariable('S3_ENDPOINT');
  const proxy = TcpProxy.to(realEndpoint);
  let p: Platform;
  let store: ReturnType<typeof storeClient>;
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    await proxy.open();
    process.env.S3_ENDPOINT = `http://127.0.0.1:${proxy.port}`;
    p = await startPlatform('archives-outage');
    process.env.S3_ENDPOINT = realEndpoint;
    store = storeClient({
      ...p.sessionsConfig,
      storage: p.sessionsConfig.storage && { ...p.sessionsConfig.storage, endpoint: realEndpoint },
    });
    connection = await Connection.connect({ address: p.sessionsConfig.temporalAddress });
    client = new Client({
      connection,
      namespace: p.sessionsConfig.temporalNamespace,
      dataConverter: encryptedDataConverter(keyRingFromString(p.sessionsConfig.payloadKeys)),
    });
  });

  afterAll(async () => {
    await proxy.close().catch(() => undefined);
    await store.clear();
    await connection.close();
    await p.close();
  });

  const rows = async (sql: string, params: unknown[] = []) => (await p.db.query(sql, params)).rows;

  it('retries while the store is out and archives once it is back, exactly once', async () => {
    const user = p.newUser();
    const assistant = await p.createAssistant(user);
    const started = await p.call('POST', '/sessions', user, { assistantId: assistant.id });
    const sessionId = started.body.session.id as string;
    await p.call('POST', `/sessions/${sessionId}/messages`, user, { content: 'Hello OUTAGE-1' });

    await proxy.close();
    // The end of the session does not wait for the store.
    const ended = await p.call('POST', `/sessions/${sessionId}/end`, user);
    expect(ended.status).toBe(200);

    const archive = client.workflow.getHandle(archiveSessionWorkflowId(sessionId));
    await eventually(async () => {
      const described = await archive.describe().catch(() => undefined);
      const attempt = described?.raw.pendingActivities?.[0]?.attempt ?? 0;
      return attempt >= 3;
    }, 'the archive activity failing against the missing store');
    const [during] = await rows('select status, archived_at from sessions where id = $1', [
      sessionId,
    ]);
    expect(during).toMatchObject({ status: 'ended', archived_at: null });
    expect((await p.call('GET', `/sessions/${sessionId}/archive`, user)).body.error.code).toBe(
      'not_archived',
    );
    expect(await store.keys(`archives/${user.id}/`)).toEqual([]);

    await proxy.open();
    await archive.result();
    const [after] = await rows('select archived_at, archive_key from sessions where id = $1', [
      sessionId,
    ]);
    expect(after.archived_at).not.toBeNull();
    expect(await store.keys(`archives/${user.id}/`)).toEqual([after.archive_key]);

    // Archiving again (the idle sweep would) changes nothing.
    const again = await client.workflow.execute('archiveSessionTranscript', {
      taskQueue: p.sessionsConfig.sessionsTaskQueue,
      workflowId: archiveSessionWorkflowId(sessionId),
      args: [{ sessionId }],
    });
    expect(again).toMatchObject({ sessionId, alreadyArchived: true });
    const events = await rows(
      `select id from outbox where type = 'session.archived' and aggregate_id = $1`,
      [sessionId],
    );
    expect(events).toHaveLength(1);
    expect(await store.keys(`archives/${user.id}/`)).toHaveLength(1);
  });
});
