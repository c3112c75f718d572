import { requireVariable, testNamespace } from '@lab/platform/testing';
import { Kafka, logLevel } from 'kafkajs';

describe('Kafka (real broker)', () => {
  const ns = testNamespace('smoke-kafka');
  const kafka = new Kafka({
    clientId: ns.id,
    brokers: requireVariable('KAFKA_BROKERS').split(','),
    logLevel: logLevel.NOTHING,
  });

  it('produces keyed messages and consumes them back in order', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: ns.topic, numPartitions: 1 }],
      waitForLeaders: true,
    });
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic: ns.topic,
      messages: [1, 2, 3].map((n) => ({ key: 'session-1', value: JSON.stringify({ n }) })),
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `${ns.id}-group` });
    await consumer.connect();
    await consumer.subscribe({ topic: ns.topic, fromBeginning: true });
    const seen: Array<{ key: string; n: number }> = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: ({ message }) => {
            const { n } = JSON.parse(message.value?.toString() ?? '{}') as { n: number };
            seen.push({ key: message.key?.toString() ?? '', n });
            if (seen.length === 3) resolve();
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(seen).toEqual([
      { key: 'session-1', n: 1 },
      { key: 'session-1', n: 2 },
      { key: 'session-1', n: 3 },
    ]);
  });
});
