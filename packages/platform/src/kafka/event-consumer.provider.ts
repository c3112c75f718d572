/**
 * An event consumer as a Nest provider: the handler is the service's own injectable; the consumer
 * starts once the application is up and stops before the database closes. Without brokers it is
 * off (logged). Exposes `kafka_consumer_lag{consumer,partition}` on `/metrics`.
 */
import {
  type BeforeApplicationShutdown,
  Logger,
  type OnApplicationBootstrap,
  type Provider,
  type Type,
} from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Gauge, register } from 'prom-client';
import type { DataSource } from 'typeorm';
import { EventConsumer, type EventHandler } from './event-consumer';
import { createKafka } from './kafka-client';

export interface EventConsumerSettings {
  /** KAFKA_BROKERS; null turns the consumer off. */
  brokers: string | null;
  topic: string;
  /**
   * The consumer group, shared by a service's replicas; default `<handler.consumer>:<topic>`, so
   * test suites on topics of their own never join each other's groups.
   */
  groupId?: string;
  /** The provider token of the handler. */
  handler: Type<EventHandler>;
}

const liveConsumers = new Map<EventConsumer, string>();

function registerLagGauge(): void {
  if (register.getSingleMetric('kafka_consumer_lag')) return;
  new Gauge({
    name: 'kafka_consumer_lag',
    help: 'Events on the topic not yet committed by the consumer group, per partition',
    labelNames: ['consumer', 'partition'],
    async collect() {
      this.reset();
      for (const [consumer, name] of liveConsumers) {
        const lags = await consumer.lag().catch(() => []);
        for (const { partition, lag } of lags) this.set({ consumer: name, partition }, lag);
      }
    },
  });
}

export class EventConsumerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    readonly consumer: EventConsumer | null,
    private readonly logger: Logger,
  ) {}

  private stopping = false;
  private retry?: NodeJS.Timeout;

  onApplicationBootstrap(): void {
    // Not awaited: a broker that is down must not keep the service from serving; the start is
    // tried again (a second apart) until the broker answers.
    void this.start(1);
  }

  private async start(attempt: number): Promise<void> {
    if (!this.consumer || this.stopping) return;
    try {
      await this.consumer.start();
    } catch (error) {
      if (attempt === 1 || attempt % 30 === 0)
        this.logger.warn(
          `event consumer did not start (attempt ${attempt}), retrying: ${(error as Error).message}`,
        );
      await this.consumer.stop();
      if (!this.stopping) this.retry = setTimeout(() => void this.start(attempt + 1), 1_000);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retry);
    if (!this.consumer) return;
    liveConsumers.delete(this.consumer);
    await this.consumer.stop();
  }
}

/** One provider per consumer; `token` tells several apart (e.g. a class per handler). */
export function eventConsumerProvider(settings: EventConsumerSettings, token: string): Provider {
  return {
    provide: token,
    inject: [getDataSourceToken(), settings.handler],
    useFactory: (dataSource: DataSource, handler: EventHandler) => {
      const logger = new Logger(`EventConsumer:${handler.consumer}`);
      if (!settings.brokers) {
        logger.warn('KAFKA_BROKERS is not set: the event consumer is off');
        return new EventConsumerLifecycle(null, logger);
      }
      const groupId = settings.groupId ?? `${handler.consumer}:${settings.topic}`;
      const consumer = new EventConsumer({
        kafka: createKafka({ brokers: settings.brokers, clientId: handler.consumer }),
        dataSource,
        topic: settings.topic,
        groupId,
        handler,
        logger,
      });
      registerLagGauge();
      liveConsumers.set(consumer, handler.consumer);
      return new EventConsumerLifecycle(consumer, logger);
    },
  };
}
