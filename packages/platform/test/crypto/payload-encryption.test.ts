import { randomBytes } from 'node:crypto';
import { generateKeyRingString, keyRingFromString } from '@lab/platform';
import { encryptedDataConverter } from '@lab/platform/temporal';
import { requireVariable, testNamespace } from '@lab/platform/testing';
import { Client, Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import * as activities from './activities';
import type { secretEchoWorkflow } from './workflows/secret-echo';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

/** Every Payload anywhere in an event (inputs, results, headers, memos, failures' details...). */
function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return found;
  if (Array.isArray(value)) {
    value.forEach((item) => payloadsIn(item, found));
    return found;
  }
  const record = value as Record<string, unknown>;
  if (record.data instanceof Uint8Array && record.metadata && typeof record.metadata === 'object') {
    found.push(record);
  }
  Object.values(record).forEach((child) => payloadsIn(child, found));
  return found;
}

describe('Temporal payload encryption (real dev server)', () => {
  const ns = testNamespace('crypto-payload-codec');
  const address = requireVariable('TEMPORAL_ADDRESS');
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const secret = `CANARY-${randomBytes(12).toString('hex')}-do-not-store`;
  const ring = keyRingFromString(
    `${generateKeyRingString('it-k2')},${generateKeyRingString('it-k1')}`,
  );

  beforeAll(() => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  });

  it('keeps argument, activity input/output and result encrypted in the server history', async () => {
    const workerConnection = await NativeConnection.connect({ address });
    const connection = await Connection.connect({ address });
    try {
      const worker = await Worker.create({
        connection: workerConnection,
        namespace,
        taskQueue: ns.taskQueue,
        workflowsPath: require.resolve('./workflows/secret-echo'),
        activities,
        dataConverter: encryptedDataConverter(ring),
      });
      const client = new Client({
        connection,
        namespace,
        dataConverter: encryptedDataConverter(ring),
      });
      const plainClient = new Client({ connection, namespace }); // no codec: sees what the server stores
      const workflowId = `${ns.id}-secret-echo`;

      const result = await worker.runUntil(
        client.workflow.execute<typeof secretEchoWorkflow>('secretEchoWorkflow', {
          taskQueue: ns.taskQueue,
          workflowId,
          args: [secret],
        }),
      );
      // The client with the codec reads the plaintext result.
      expect(result).toBe(`activity saw ${secret}; workflow returns ${secret}`);

      const history = await plainClient.workflow.getHandle(workflowId).fetchHistory();
      const events: HistoryEvent[] = history.events ?? [];

      // Nothing in the stored history, payload or not, contains the secret.
      const historyBytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
      expect(historyBytes.includes(secret)).toBe(false);
      expect(historyBytes.includes(Buffer.from(secret).toString('base64'))).toBe(false);

      // Every payload in every event is encrypted under the current key.
      const all = events.flatMap((event) => payloadsIn(event));
      expect(all.length).toBeGreaterThanOrEqual(4);
      for (const payload of all) {
        expect(text(payload.metadata?.encoding)).toBe('binary/encrypted');
        expect(text(payload.metadata?.['encryption-key-id'])).toBe('it-k2');
        expect(Buffer.from(payload.data ?? []).includes(secret)).toBe(false);
      }

      // In particular the four payloads that carry the secret.
      const carried = (pick: (event: HistoryEvent) => Payload[] | null | undefined) => {
        const found = events.flatMap((event) => pick(event) ?? []);
        expect(found).toHaveLength(1);
        return found[0]!;
      };
      const carriers = {
        workflowInput: carried((e) => e.workflowExecutionStartedEventAttributes?.input?.payloads),
        activityInput: carried((e) => e.activityTaskScheduledEventAttributes?.input?.payloads),
        activityResult: carried((e) => e.activityTaskCompletedEventAttributes?.result?.payloads),
        workflowResult: carried(
          (e) => e.workflowExecutionCompletedEventAttributes?.result?.payloads,
        ),
      };
      for (const [name, payload] of Object.entries(carriers)) {
        expect({ name, encoding: text(payload.metadata?.encoding) }).toEqual({
          name,
          encoding: 'binary/encrypted',
        });
        expect(Buffer.from(payload.data ?? []).includes(secret)).toBe(false);
      }

      // The codec does decrypt those stored payloads back to the secret.
      const [codec] = encryptedDataConverter(ring).payloadCodecs;
      const decoded = await codec!.decode(Object.values(carriers));
      expect(decoded.map((p) => JSON.parse(text(p.data)) as unknown)).toEqual([
        secret,
        secret,
        `activity saw ${secret}`,
        result,
      ]);

      // Without the codec the result cannot be read.
      await expect(plainClient.workflow.getHandle(workflowId).result()).rejects.toThrow(
        'Unknown encoding: binary/encrypted',
      );
    } finally {
      await connection.close();
      await workerConnection.close();
    }
  });
});
