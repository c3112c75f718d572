/**
 * An idempotent consumer of `chat.events`: a KafkaJS consumer group whose offsets are committed
 * by hand, after the database transaction that applied the event. In that transaction the event
 * id is claimed in `processed_events` first; a claimed id (a redelivery after a crash, a relay
 * that published twice, a rewound group) is skipped. So every event takes effect exactly once,
 * whatever Kafka delivers. Events of other types, and values that are not CloudEvents, are
 * committed without effect. A failing handler is retried (KafkaJS restarts the consumer from the
 * uncommitted offset) — an event is never skipped because the database was down.
 */
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { type CloudEvent, parseCloudEvent } from './cloud-event';
import { ensureTopic } from './kafka-client';
import { claimEvent } from './processed-events';

export interface EventHandler {
  /** The consumer's name in `processed_events` (and its group id's suffix). */
  readonly consumer: string;
  /** The CloudEvents types it applies (`lab.session.started`, ...). */
  readonly types: readonly string[];
  /** Applies one event inside the transaction that claimed it. */
  handle(manager: EntityManager, event: CloudEvent): Promise<void>;
}

export interface ConsumerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface EventConsumerOptions {
  kafka: Kafka;
  dataSource: DataSource;
  topic: string;
  groupId: string;
  handler: EventHandler;
  logger?: ConsumerLogger;
}

export interface PartitionLag {
  partition: number;
  lag: number;
}

const silent: ConsumerLogger = { log: () => {}, warn: () => {}, error: () => {} };

export class EventConsumer {
  private consumer: Consumer | null = null;
  private admin: Admin | null = null;
  private readonly logger: ConsumerLogger;
  private applied = 0;
  private skipped = 0;

  constructor(private readonly options: EventConsumerOptions) {
    this.logger = options.logger ?? silent;
  }

  /** Events applied / skipped as already processed, since start (for tests and logs). */
  get counts(): { applied: number; skipped: number } {
    return { applied: this.applied, skipped: this.skipped };
  }

  async start(): Promise<void> {
    const { kafka, topic, groupId } = this.options;
    await ensureTopic(kafka, topic);
    const consumer = kafka.consumer({
      groupId,
      // Restarts at most a second apart, and a member lost with a broker outage expires from
      // the group in 10 s (not the default 30 s, which the rejoin after an outage waits out):
      // consumption resumes within seconds of the broker's return.
      retry: { initialRetryTime: 300, maxRetryTime: 1_000, retries: 10 },
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    this.consumer = consumer; // stopped by stop() also when the start fails half-way
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.logger.warn(
        `event consumer ${groupId}: ${payload.error.message} (restart: ${payload.restart})`,
      );
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic: from, partition, message }) => {
        await this.apply(parseCloudEvent(message.value));
        await consumer.commitOffsets([
          { topic: from, partition, offset: (BigInt(message.offset) + 1n).toString() },
        ]);
      },
    });
    this.logger.log(`event consumer ${groupId}: consuming ${topic}`);
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    await consumer?.disconnect().catch(() => {});
    const admin = this.admin;
    this.admin = null;
    await admin?.disconnect().catch(() => {});
  }

  /** Messages on the topic not yet committed by the group, per partition: the consumer lag. */
  async lag(): Promise<PartitionLag[]> {
    const { kafka, topic, groupId } = this.options;
    if (!this.admin) {
      const admin = kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    const [ends, committed] = await Promise.all([
      this.admin.fetchTopicOffsets(topic),
      this.admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const done = new Map(
      (committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]),
    );
    return ends.map((end) => {
      const at = done.get(end.partition) ?? -1n;
      const high = BigInt(end.high);
      const low = BigInt(end.low);
      const from = at < 0n ? low : at;
      return { partition: end.partition, lag: Number(high > from ? high - from : 0n) };
    });
  }

  /** One event, exactly once: claimed and applied in one transaction. */
  async apply(event: CloudEvent | null): Promise<boolean> {
    const { handler, dataSource } = this.options;
    if (!event) {
      this.logger.warn(
        `event consumer ${handler.consumer}: a value that is not a CloudEvent, skipped`,
      );
      return false;
    }
    if (!handler.types.includes(event.type)) return false;
    const applied = await dataSource.transaction(async (manager) => {
      if (!(await claimEvent(manager, handler.consumer, event.id))) return false;
      await handler.handle(manager, event);
      return true;
    });
    if (applied) this.applied += 1;
    else this.skipped += 1;
    return applied;
  }
}
