import { randomUUID } from 'node:crypto';
import {
  type CloudEvent,
  createKafka,
  ensureTopic,
  EventConsumer,
  type EventHandler,
  OutboxRelay,
  recordEvent,
} from '@lab/platform/outbox';
import { requireVariable, testNamespace } from '@lab/platform/testing';
import type { DataSource, EntityManager } from 'typeorm';
import { eventDataSource, eventually, scalar } from './support/event-bus';

/** Counts `lab.thing.happened` events by their `name`. */
const counting: EventHandler = {
  consumer: 'counting',
  types: ['lab.thing.happened'],
  async handle(manager: EntityManager, event: CloudEvent) {
    await manager.query(
      `insert into counters (name, value) values ($1, 1)
         on conflict (name) do update set value = counters.value + 1`,
      [event.data.name],
    );
  },
};

describe('EventConsumer (real PostgreSQL and Kafka)', () => {
  const ns = testNamespace('kafka-consumer');
  const kafka = createKafka({ brokers: requireVariable('KAFKA_BROKERS'), clientId: ns.id });
  let db: DataSource;
  const counter = (name: string) =>
    scalar(db, `select value from counters where name = $1`, [name]);

  beforeAll(async () => {
    db = await eventDataSource(requireVariable('DATABASE_URL'), ns.schema);
    await ensureTopic(kafka, ns.topic, 3);
  });
  afterAll(async () => {
    await db.query(`drop schema if exists "${ns.schema}" cascade`);
    await db.destroy();
  });

  it('applies each event once: a redelivered message and a rewound group change nothing', async () => {
    const relay = new OutboxRelay({
      dataSource: db,
      kafka,
      topic: ns.topic,
      source: 'test',
      pollIntervalMs: 50,
    });
    const consumer = new EventConsumer({
      kafka,
      dataSource: db,
      topic: ns.topic,
      groupId: `${ns.id}-g1`,
      handler: counting,
    });
    const aggregate = randomUUID();
    for (let i = 0; i < 20; i++) {
      await db.transaction((m) =>
        recordEvent(m, {
          aggregateType: 'thing',
          aggregateId: aggregate,
          type: 'thing.happened',
          payload: { name: i % 2 ? 'odd' : 'even' },
        }),
      );
    }
    // An event of another type: committed without effect.
    await db.transaction((m) =>
      recordEvent(m, {
        aggregateType: 'thing',
        aggregateId: aggregate,
        type: 'thing.ignored',
        payload: { name: 'odd' },
      }),
    );
    relay.start();
    await consumer.start();
    try {
      await eventually(
        async () => [await counter('even'), await counter('odd')],
        ([e, o]) => e === 10 && o === 10,
      );

      // The same CloudEvent delivered again, as a relay that crashed before marking it would.
      const rows: Array<{ id: string }> = await db.query(
        `select id from outbox where type = 'thing.happened' order by seq limit 1`,
      );
      const row = rows[0];
      const producer = kafka.producer();
      await producer.connect();
      const again: CloudEvent = {
        specversion: '1.0',
        id: row!.id,
        source: 'test',
        type: 'lab.thing.happened',
        time: new Date().toISOString(),
        subject: aggregate,
        datacontenttype: 'application/json',
        aggregatetype: 'thing',
        sequence: '1',
        data: { name: 'even' },
      };
      await producer.send({
        topic: ns.topic,
        messages: [
          { key: aggregate, value: JSON.stringify(again) },
          { key: aggregate, value: 'not an event' },
        ],
      });
      await producer.disconnect();
      await eventually(
        () => consumer.counts.skipped,
        (n) => n === 1,
      );
      expect(await counter('even')).toBe(10);
      expect(consumer.counts.applied).toBe(20);
      await eventually(
        async () => (await consumer.lag()).reduce((sum, p) => sum + p.lag, 0),
        (n) => n === 0,
      );
    } finally {
      await consumer.stop();
      await relay.stop();
    }

    // A group reading everything again (a rewound offset) under the same consumer name.
    const rewound = new EventConsumer({
      kafka,
      dataSource: db,
      topic: ns.topic,
      groupId: `${ns.id}-g2`,
      handler: counting,
    });
    await rewound.start();
    try {
      await eventually(
        () => rewound.counts.skipped,
        (n) => n === 21,
      );
    } finally {
      await rewound.stop();
    }
    expect(rewound.counts.applied).toBe(0);
    expect([await counter('even'), await counter('odd')]).toEqual([10, 10]);
    expect(await scalar(db, `select count(*)::int as n from processed_events`)).toBe(20);
  });
});
