import { requireVariable, testNamespace } from '@lab/platform/testing';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import * as activities from './activities';
import type { greetingWorkflow } from './workflows/greeting';

describe('Temporal (real dev server)', () => {
  const ns = testNamespace('smoke-temporal');
  const address = requireVariable('TEMPORAL_ADDRESS');
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';

  beforeAll(() => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  });

  it('runs a workflow and its activity on a worker polling the server', async () => {
    const workerConnection = await NativeConnection.connect({ address });
    const connection = await Connection.connect({ address });
    try {
      const worker = await Worker.create({
        connection: workerConnection,
        namespace,
        taskQueue: ns.taskQueue,
        workflowsPath: require.resolve('./workflows/greeting'),
        activities,
      });
      const client = new Client({ connection, namespace });
      const workflowId = `${ns.id}-greeting`;
      const result = await worker.runUntil(
        client.workflow.execute<typeof greetingWorkflow>('greetingWorkflow', {
          taskQueue: ns.taskQueue,
          workflowId,
          args: ['Ada'],
        }),
      );
      expect(result).toBe(`Hello, Ada! from worker pid ${process.pid} (workflow greetingWorkflow)`);

      // The server, not an in-process stand-in, recorded the run.
      const handle = client.workflow.getHandle(workflowId);
      const description = await handle.describe();
      expect(description.status.name).toBe('COMPLETED');
      const history = await handle.fetchHistory();
      const types = (history.events ?? []).map((e) => e.eventType);
      expect(types.length).toBeGreaterThan(5);
    } finally {
      await connection.close();
      await workerConnection.close();
    }
  });
});
