/**
 * KafkaJS clients of the services: one factory so every relay, consumer and test talks to the
 * broker the same way (client id, quiet KafkaJS logs routed to the service's logger).
 */
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';

export interface KafkaSettings {
  /** `host:port,host:port` (KAFKA_BROKERS). */
  brokers: string;
  clientId: string;
  /** Bounded retries: callers (the relay, the consumer's restarts) own the long-term retrying. */
  retry?: KafkaConfig['retry'];
}

export function createKafka(settings: KafkaSettings): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: settings.retry ?? { initialRetryTime: 200, retries: 5, maxRetryTime: 5_000 },
  });
}

/** Creates the topic if it is missing (idempotent). Production topics are provisioned; this keeps dev and tests self-contained. */
export async function ensureTopic(kafka: Kafka, topic: string, numPartitions = 3): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) {
      await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
    }
  } finally {
    await admin.disconnect();
  }
}
