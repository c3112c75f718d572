/**
 * The outbox relay: publishes a service's outbox rows to Kafka, in `seq` order, at least once.
 *
 * - One relay per service schema publishes at a time: it holds a Postgres advisory lock (named
 *   after the schema) on a connection of its own, so replicas cannot interleave and order per
 *   key holds; the others wait and take over when the holder's connection goes.
 * - A batch of unpublished rows is sent in one request with an idempotent producer
 *   (`maxInFlightRequests: 1`, acks from all in-sync replicas); the rows are marked published
 *   only after the broker acknowledged. A failed send is retried forever with a bounded backoff
 *   (at most a second apart), the same rows from the first, never skipping one; the producer is
 *   rebuilt after a failure so a restarted broker gets a fresh session and fresh metadata. A crash between send and mark republishes the batch:
 *   consumers deduplicate on the event id.
 * - `stop()` finishes the batch in flight (bounded), releases the lock, disconnects.
 */
import type { Kafka, Message, Producer } from 'kafkajs';
import type { DataSource, QueryRunner } from 'typeorm';
import { CLOUD_EVENT_CONTENT_TYPE, type CloudEvent, eventType } from '../kafka/cloud-event';
import { ensureTopic } from '../kafka/kafka-client';

export interface RelayLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface OutboxRelayOptions {
  dataSource: DataSource;
  kafka: Kafka;
  topic: string;
  /** The CloudEvents `source`: the producing service's name. */
  source: string;
  batchSize?: number;
  /** How often an idle relay looks for new rows. */
  pollIntervalMs?: number;
  /**
   * Backoff after a failure: doubles from `minBackoffMs` up to `maxBackoffMs`, which is short
   * (1 s): a retry costs one refused connection, and the broker's return is noticed within
   * about a second of it (the relay's Kafka client retries little of its own, see below).
   */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Partitions if the relay has to create the topic. */
  partitions?: number;
  logger?: RelayLogger;
}

interface OutboxRow {
  id: string;
  seq: string;
  aggregate_type: string;
  aggregate_id: string;
  type: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
}

const silent: RelayLogger = { log: () => {}, warn: () => {}, error: () => {} };

export function toCloudEvent(row: OutboxRow, source: string): CloudEvent {
  return {
    specversion: '1.0',
    id: row.id,
    source,
    type: eventType(row.type),
    time: row.occurred_at.toISOString(),
    subject: row.aggregate_id,
    datacontenttype: 'application/json',
    aggregatetype: row.aggregate_type,
    sequence: row.seq,
    data: row.payload,
  };
}

export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly logger: RelayLogger;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private lockRunner: QueryRunner | null = null;
  private producer: Producer | null = null;
  private topicReady = false;
  private published = 0;
  private failures = 0;
  private brokerFailed = false;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.minBackoffMs = options.minBackoffMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 1_000;
    this.logger = options.logger ?? silent;
  }

  /** Rows published by this relay since it started (for tests and logs). */
  get publishedCount(): number {
    return this.published;
  }

  /** False while the last attempt to reach the broker failed (for readiness). */
  get brokerReachable(): boolean {
    return !this.brokerFailed;
  }

  get isLeader(): boolean {
    return this.lockRunner !== null;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Looks for new rows now instead of at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.loop,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    await this.releaseLock();
    await this.disconnectProducer();
  }

  /** Age in seconds of the oldest unpublished row (0 when none): the outbox lag. */
  async lagSeconds(): Promise<number> {
    const rows: Array<{ age: number | string | null }> = await this.options.dataSource.query(
      `select extract(epoch from now() - min(occurred_at)) as age from outbox where published_at is null`,
    );
    return Number(rows[0]?.age ?? 0);
  }

  private async run(): Promise<void> {
    let backoff = this.minBackoffMs;
    while (this.running) {
      let idle = false;
      try {
        if (!(await this.holdLock())) {
          idle = true;
        } else {
          const sent = await this.publishBatch();
          idle = sent < this.batchSize;
        }
        backoff = this.minBackoffMs;
        if (this.failures > 0) {
          this.logger.log(`outbox relay: publishing again after ${this.failures} failed attempts`);
          this.failures = 0;
        }
      } catch (error) {
        this.failures += 1;
        if (this.failures === 1 || this.failures % 20 === 0) {
          this.logger.warn(
            `outbox relay: attempt ${this.failures} failed, retrying in ${backoff} ms: ${(error as Error).message}`,
          );
        }
        await this.disconnectProducer();
        if (!(await this.lockAlive())) await this.releaseLock();
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, this.maxBackoffMs);
        continue;
      }
      if (idle) await this.sleep(this.pollIntervalMs);
    }
  }

  /** Sends the oldest unpublished rows; marks them published once the broker acknowledged. */
  private async publishBatch(): Promise<number> {
    const runner = this.lockRunner;
    if (!runner) return 0;
    // `outbox.seq`, not the text alias: ordering by the alias would put 10 before 2.
    const rows = (await runner.query(
      `select id, seq::text as seq, aggregate_type, aggregate_id, type, payload, occurred_at
         from outbox where published_at is null order by outbox.seq limit $1`,
      [this.batchSize],
    )) as OutboxRow[];
    if (rows.length === 0) return 0;
    const messages: Message[] = rows.map((row) => ({
      key: row.aggregate_id,
      value: JSON.stringify(toCloudEvent(row, this.options.source)),
      headers: { 'content-type': CLOUD_EVENT_CONTENT_TYPE, ce_type: eventType(row.type) },
    }));
    try {
      const producer = await this.connectedProducer();
      await producer.send({ topic: this.options.topic, acks: -1, messages });
      this.brokerFailed = false;
    } catch (error) {
      this.brokerFailed = true;
      throw error;
    }
    await runner.query(`update outbox set published_at = now() where id = any($1::uuid[])`, [
      rows.map((r) => r.id),
    ]);
    this.published += rows.length;
    return rows.length;
  }

  private async holdLock(): Promise<boolean> {
    if (this.lockRunner) return true;
    const runner = this.options.dataSource.createQueryRunner();
    try {
      await runner.connect();
      const rows = (await runner.query(
        `select pg_try_advisory_lock(hashtext(current_schema() || '.outbox_relay')) as locked`,
      )) as Array<{ locked: boolean }>;
      if (!rows[0]?.locked) {
        await runner.release();
        return false;
      }
      this.lockRunner = runner;
      this.logger.log(`outbox relay: publishing to ${this.options.topic}`);
      return true;
    } catch (error) {
      await runner.release().catch(() => {});
      throw error;
    }
  }

  private async lockAlive(): Promise<boolean> {
    if (!this.lockRunner) return false;
    try {
      await this.lockRunner.query('select 1');
      return true;
    } catch {
      return false;
    }
  }

  private async releaseLock(): Promise<void> {
    const runner = this.lockRunner;
    this.lockRunner = null;
    if (!runner) return;
    await runner
      .query(`select pg_advisory_unlock(hashtext(current_schema() || '.outbox_relay'))`)
      .catch(() => {});
    await runner.release().catch(() => {});
  }

  private async connectedProducer(): Promise<Producer> {
    if (!this.topicReady) {
      await ensureTopic(this.options.kafka, this.options.topic, this.options.partitions);
      this.topicReady = true;
    }
    if (this.producer) return this.producer;
    const producer = this.options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    this.producer = producer;
    return producer;
  }

  private async disconnectProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    await producer?.disconnect().catch(() => {});
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }
}
