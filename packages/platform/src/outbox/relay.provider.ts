/**
 * The outbox relay as a Nest provider: started once the application is up, stopped on shutdown
 * before the database closes. Without brokers configured the relay is off (logged) and events
 * wait in the outbox until a relay runs — tools and tests without Kafka keep working.
 * Exposes `outbox_lag_seconds{service}` (age of the oldest unpublished row) on `/metrics`.
 */
import {
  type BeforeApplicationShutdown,
  Logger,
  type OnApplicationBootstrap,
  type Provider,
} from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Gauge, register } from 'prom-client';
import type { DataSource } from 'typeorm';
import { createKafka } from '../kafka/kafka-client';
import { OutboxRelay } from './relay';

export interface OutboxRelaySettings {
  /** KAFKA_BROKERS; null turns the relay off. */
  brokers: string | null;
  topic: string;
  /** The producing service (CloudEvents `source`, client id, metric label). */
  service: string;
  pollIntervalMs?: number;
}

/** The relay's Kafka client: one quick retry, then the relay's loop takes over. */
export const RELAY_KAFKA_RETRY = { initialRetryTime: 100, retries: 1, maxRetryTime: 500 };

const liveRelays = new Map<OutboxRelay, string>();

function registerLagGauge(): void {
  if (register.getSingleMetric('outbox_lag_seconds')) return;
  new Gauge({
    name: 'outbox_lag_seconds',
    help: 'Age of the oldest outbox row not yet published to Kafka (0 when none)',
    labelNames: ['service'],
    async collect() {
      this.reset();
      for (const [relay, service] of liveRelays) {
        this.set({ service }, await relay.lagSeconds().catch(() => 0));
      }
    },
  });
}

export class OutboxRelayLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(readonly relay: OutboxRelay | null) {}

  onApplicationBootstrap(): void {
    this.relay?.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.relay) return;
    liveRelays.delete(this.relay);
    await this.relay.stop();
  }
}

export function outboxRelayProvider(settings: OutboxRelaySettings): Provider {
  return {
    provide: OutboxRelayLifecycle,
    inject: [getDataSourceToken()],
    useFactory: (dataSource: DataSource) => {
      const logger = new Logger('OutboxRelay');
      if (!settings.brokers) {
        logger.warn('KAFKA_BROKERS is not set: the outbox relay is off, events stay in the outbox');
        return new OutboxRelayLifecycle(null);
      }
      const relay = new OutboxRelay({
        dataSource,
        // Few retries inside the client: the relay's own loop retries, a second apart at most,
        // so an attempt that began during an outage does not outlive it by a long backoff.
        kafka: createKafka({
          brokers: settings.brokers,
          clientId: `${settings.service}-relay`,
          retry: RELAY_KAFKA_RETRY,
        }),
        topic: settings.topic,
        source: settings.service,
        logger,
        ...(settings.pollIntervalMs ? { pollIntervalMs: settings.pollIntervalMs } : {}),
      });
      registerLagGauge();
      liveRelays.set(relay, settings.service);
      return new OutboxRelayLifecycle(relay);
    },
  };
}
