/**
 * The private broker of outage tests: its own ports and data, killed and started again with
 * nothing acknowledged lost, and removed on close.
 */
import { existsSync } from 'node:fs';
import { createKafka, ensureTopic } from '@lab/platform/outbox';
import { type PrivateKafka, startPrivateKafka } from '@lab/platform/testing';

jest.setTimeout(180_000);

describe('startPrivateKafka (the installed Kafka distribution)', () => {
  let broker: PrivateKafka | undefined;
  afterAll(async () => {
    await broker?.close();
  });

  it('serves on ports of its own, survives a kill and a restart on the same data, and cleans up', async () => {
    const started = Date.now();
    broker = await startPrivateKafka();
    const firstStart = Date.now() - started;
    expect(broker.brokers).toBe(`127.0.0.1:${broker.port}`);
    expect(broker.brokers).not.toBe(process.env.KAFKA_BROKERS);
    const kafka = createKafka({ brokers: broker.brokers, clientId: 'private-kafka-test' });
    await ensureTopic(kafka, 'private.test', 1);
    const send = async (values: string[]) => {
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      await producer.send({
        topic: 'private.test',
        acks: -1,
        messages: values.map((value) => ({ value })),
      });
      await producer.disconnect();
    };
    await send(['a', 'b', 'c']);

    await broker.stop('SIGKILL');
    expect(broker.running).toBe(false);
    const admin = kafka.admin();
    await expect(admin.connect()).rejects.toThrow();
    const restarted = Date.now();
    await broker.start();
    const secondStart = Date.now() - restarted;
    expect(broker.running).toBe(true);
    await send(['d', 'e']);

    const seen: string[] = [];
    const consumer = kafka.consumer({ groupId: 'private-kafka-test-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'private.test', fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        seen.push(message.value?.toString() ?? '');
        return Promise.resolve();
      },
    });
    const deadline = Date.now() + 30_000;
    while (seen.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await consumer.disconnect();
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
    process.stderr.write(
      `[private-kafka] first start ${firstStart} ms, restart ${secondStart} ms\n`,
    );

    const dir = broker.dataDir;
    await broker.close();
    expect(existsSync(dir)).toBe(false);
  });
});
