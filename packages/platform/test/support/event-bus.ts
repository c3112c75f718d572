/**
 * Test support for the outbox and consumer suites: a migrated schema of the suite's own with the
 * outbox and processed-event tables, and a reader that collects a topic's CloudEvents.
 */
import { ensureSchema, schemaDataSourceOptions } from '@lab/platform/database';
import {
  type CloudEvent,
  createOutboxTable,
  createProcessedEventsTable,
  OutboxEventEntity,
  parseCloudEvent,
} from '@lab/platform/outbox';
import type { Kafka } from 'kafkajs';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';

class CreateEventTables1700000000000 implements MigrationInterface {
  name = 'CreateEventTables1700000000000';
  async up(db: QueryRunner): Promise<void> {
    await createOutboxTable(db);
    await createProcessedEventsTable(db);
    await db.query(`create table counters (name text primary key, value integer not null)`);
  }
  async down(): Promise<void> {}
}

export async function eventDataSource(databaseUrl: string, schema: string): Promise<DataSource> {
  await ensureSchema(databaseUrl, schema);
  const dataSource = new DataSource(
    schemaDataSourceOptions({
      databaseUrl,
      schema,
      entities: [OutboxEventEntity],
      migrations: [CreateEventTables1700000000000],
      poolSize: 5,
    }),
  );
  await dataSource.initialize();
  return dataSource;
}

export interface Received {
  key: string;
  partition: number;
  event: CloudEvent;
}

/** Reads the topic from the beginning into `received` until stopped. */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  groupId: string,
): Promise<{
  received: Received[];
  until(n: number, ms?: number): Promise<void>;
  stop(): Promise<void>;
}> {
  const received: Received[] = [];
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ partition, message }) => {
      const event = parseCloudEvent(message.value);
      if (event) received.push({ key: message.key?.toString() ?? '', partition, event });
      return Promise.resolve();
    },
  });
  return {
    received,
    async until(n, ms = 30_000) {
      const deadline = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`received ${received.length} of ${n} events`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: () => consumer.disconnect(),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` holds, or fails with its last value. */
export async function eventually<T>(
  read: () => T | Promise<T>,
  check: (value: T) => boolean,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!check(value)) {
    if (Date.now() > deadline) throw new Error(`not reached in ${ms} ms: ${JSON.stringify(value)}`);
    await sleep(100);
    value = await read();
  }
  return value;
}

/** One number from a query such as `select count(*)::int as n ...`. */
export async function scalar(db: DataSource, sql: string, params: unknown[] = []): Promise<number> {
  const rows: Array<Record<string, unknown>> = await db.query(sql, params);
  const first = rows[0];
  return first ? Number(Object.values(first)[0] ?? 0) : 0;
}
