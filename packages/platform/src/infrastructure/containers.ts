/**
 * Infrastructure as containers through testcontainers, where a Docker engine answers.
 * Same components and versions as scripts/infra and docker-compose.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { KafkaContainer } from '@testcontainers/kafka';
import { MinioContainer } from '@testcontainers/minio';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { RedisContainer } from '@testcontainers/redis';
import { GenericContainer, getContainerRuntimeClient, Wait } from 'testcontainers';
import type { Component, InfrastructureVariables } from './variables';

export const CONTAINER_IMAGES = {
  postgres: 'postgres:17-alpine',
  redis: 'redis:7.4-alpine',
  temporal: 'temporalio/temporal:1.5.1',
  kafka: 'confluentinc/cp-kafka:7.9.2',
  s3: 'minio/minio:RELEASE.2025-07-23T15-54-02Z',
} as const;

const BUCKET = 'lab';

/** True when testcontainers finds a container runtime that answers. */
export async function dockerAvailable(timeoutMs = 5_000): Promise<boolean> {
  const probe = getContainerRuntimeClient().then(
    () => true,
    () => false,
  );
  const timeout = new Promise<boolean>((resolve) =>
    setTimeout(() => resolve(false), timeoutMs).unref(),
  );
  return Promise.race([probe, timeout]);
}

export interface StartedContainers {
  variables: InfrastructureVariables;
  stop(): Promise<void>;
}

export async function startContainers(
  components: readonly Component[],
): Promise<StartedContainers> {
  const stops: Array<() => Promise<unknown>> = [];
  const variables: InfrastructureVariables = {};
  const starters: Record<Component, () => Promise<void>> = {
    postgres: async () => {
      const c = await new PostgreSqlContainer(CONTAINER_IMAGES.postgres)
        .withDatabase('lab')
        .withUsername('lab')
        .withPassword('lab')
        .start();
      stops.push(() => c.stop());
      variables.DATABASE_URL = c.getConnectionUri();
    },
    redis: async () => {
      const c = await new RedisContainer(CONTAINER_IMAGES.redis).start();
      stops.push(() => c.stop());
      variables.REDIS_URL = c.getConnectionUrl();
    },
    temporal: async () => {
      const c = await new GenericContainer(CONTAINER_IMAGES.temporal)
        .withCommand(['server', 'start-dev', '--ip', '0.0.0.0', '--namespace', 'default'])
        .withExposedPorts(7233)
        .withWaitStrategy(Wait.forListeningPorts())
        .start();
      stops.push(() => c.stop());
      variables.TEMPORAL_ADDRESS = `${c.getHost()}:${c.getMappedPort(7233)}`;
      variables.TEMPORAL_NAMESPACE = 'default';
    },
    kafka: async () => {
      const c = await new KafkaContainer(CONTAINER_IMAGES.kafka).withKraft().start();
      stops.push(() => c.stop());
      variables.KAFKA_BROKERS = `${c.getHost()}:${c.getMappedPort(9093)}`;
    },
    s3: async () => {
      const c = await new MinioContainer(CONTAINER_IMAGES.s3).start();
      stops.push(() => c.stop());
      Object.assign(variables, {
        S3_ENDPOINT: c.getConnectionUrl(),
        S3_REGION: 'us-east-1',
        S3_BUCKET: BUCKET,
        S3_ACCESS_KEY_ID: c.getUsername(),
        S3_SECRET_ACCESS_KEY: c.getPassword(),
        S3_FORCE_PATH_STYLE: 'true',
      });
      const s3 = new S3Client({
        endpoint: c.getConnectionUrl(),
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: c.getUsername(), secretAccessKey: c.getPassword() },
      });
      await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
      s3.destroy();
    },
  };
  const stopAll = async () => {
    await Promise.allSettled(stops.map((stop) => stop()));
  };
  try {
    await Promise.all(components.map((component) => starters[component]()));
  } catch (error) {
    await stopAll();
    throw error;
  }
  return { variables, stop: stopAll };
}
