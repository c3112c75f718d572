import { randomUUID } from 'node:crypto';
import { createKafka, ensureTopic, OutboxRelay, recordEvent } from '@lab/platform/outbox';
import { requireVariable, testNamespace } from '@lab/platform/testing';
import type { DataSource } from 'typeorm';
import { eventDataSource, eventually, readTopic, scalar } from './support/event-bus';

describe('OutboxRelay (real PostgreSQL and Kafka)', () => {
  const ns = testNamespace('outbox-relay');
  const kafka = createKafka({ brokers: requireVariable('KAFKA_BROKERS'), clientId: ns.id });
  let db: DataSource;

  beforeAll(async () => {
    db = await eventDataSource(requireVariable('DATABASE_URL'), ns.schema);
    await ensureTopic(kafka, ns.topic, 3);
  });
  afterAll(async () => {
    await db.query(`drop schema if exists "${ns.schema}" cascade`);
    await db.destroy();
  });

  const record = (aggregateId: string, n: number) =>
    db.transaction((m) =>
      recordEvent(m, {
        aggregateType: 'session',
        aggregateId,
        type: 'turn.completed',
        payload: { n },
      }),
    );
  const unpublished = () =>
    scalar(db, `select count(*)::int as n from outbox where published_at is null`);

  it('publishes rows written before it started, then new ones, in order per key, as CloudEvents', async () => {
    const sessions = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    // Written while no relay runs: the relay catches up from the oldest.
    for (let n = 1; n <= 10; n++) for (const s of sessions) await record(s, n);

    const relay = new OutboxRelay({
      dataSource: db,
      kafka,
      topic: ns.topic,
      source: 'test',
      batchSize: 7,
      pollIntervalMs: 50,
    });
    const reader = await readTopic(kafka, ns.topic, `${ns.id}-read-1`);
    relay.start();
    try {
      for (let n = 11; n <= 15; n++) for (const s of sessions) await record(s, n);
      await reader.until(60);
      await eventually(unpublished, (n) => n === 0);
    } finally {
      await relay.stop();
      await reader.stop();
    }

    expect(reader.received).toHaveLength(60);
    for (const s of sessions) {
      const mine = reader.received.filter((r) => r.key === s);
      expect(mine.map((r) => r.event.data.n)).toEqual([...Array(15).keys()].map((i) => i + 1));
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
    }
    const first = reader.received[0]!.event;
    expect(first).toMatchObject({
      specversion: '1.0',
      source: 'test',
      type: 'lab.turn.completed',
      datacontenttype: 'application/json',
      aggregatetype: 'session',
    });
    expect(first.subject).toBe(reader.received[0]!.key);
    expect(new Set(reader.received.map((r) => r.event.id)).size).toBe(60);
    const ids: Array<{ id: string }> = await db.query(`select id from outbox`);
    expect(new Set(reader.received.map((r) => r.event.id))).toEqual(new Set(ids.map((r) => r.id)));
    expect(relay.publishedCount).toBe(60);
  });

  it('lets one relay of a schema publish at a time; the other takes over when it stops', async () => {
    const topic = `${ns.topic}.leader`;
    await ensureTopic(kafka, topic, 1);
    const a = new OutboxRelay({ dataSource: db, kafka, topic, source: 'a', pollIntervalMs: 50 });
    const b = new OutboxRelay({ dataSource: db, kafka, topic, source: 'b', pollIntervalMs: 50 });
    const reader = await readTopic(kafka, topic, `${ns.id}-read-2`);
    a.start();
    await eventually(() => a.isLeader, Boolean);
    b.start();
    try {
      const s = randomUUID();
      for (let n = 1; n <= 5; n++) await record(s, n);
      await reader.until(5);
      expect(b.isLeader).toBe(false);
      expect(reader.received.every((r) => r.event.source === 'a')).toBe(true);

      await a.stop();
      for (let n = 6; n <= 8; n++) await record(s, n);
      await reader.until(8);
      expect(reader.received.slice(5).every((r) => r.event.source === 'b')).toBe(true);
      expect(reader.received.map((r) => r.event.data.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    } finally {
      await a.stop();
      await b.stop();
      await reader.stop();
    }
  });

  it('reports the outbox lag: the age of the oldest unpublished row', async () => {
    const relay = new OutboxRelay({ dataSource: db, kafka, topic: ns.topic, source: 'test' });
    expect(await relay.lagSeconds()).toBe(0);
    await db.query(
      `insert into outbox (aggregate_type, aggregate_id, type, payload, occurred_at)
       values ('session', $1, 'session.started', '{}', now() - interval '42 seconds')`,
      [randomUUID()],
    );
    expect(await relay.lagSeconds()).toBeGreaterThanOrEqual(42);
    await db.query(`update outbox set published_at = now()`);
  });
});
