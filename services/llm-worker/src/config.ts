/** The llm-worker's configuration, validated at start-up: a missing variable stops it with its name. */
import { configReader } from '@lab/platform';
import { TASK_QUEUES } from '@lab/contracts';

export interface LlmWorkerConfig {
  temporalAddress: string;
  temporalNamespace: string;
  taskQueue: string;
  redisUrl: string;
  openaiBaseUrl: string;
  openaiApiKey: string;
  /** PAYLOAD_KEYS: the payload codec's key ring, `id:base64key[,older...]`. */
  payloadKeys: string;
  /** TURN_VAULT_KEY (32 bytes, base64, shared with the sessions service): opens the turn vault. */
  turnVaultKey: Buffer;
  llmTimeoutMs: number;
  shutdownGraceMs: number;
  maxConcurrentActivities: number;
  /** METRICS_HOST:METRICS_PORT serves Prometheus `/metrics`; port null (METRICS_PORT=0) turns it off. */
  metricsHost: string;
  metricsPort: number | null;
  /** TEMPORAL_METRICS_ADDRESS (`host:port`): the Temporal SDK core's own Prometheus endpoint; off when unset. */
  temporalMetricsAddress: string | null;
  /**
   * GUARD_EMBEDDING_MODEL: the embeddings model of the guard's semantic stage (on the same
   * OpenAI-compatible endpoint); unset = no semantic stage, whatever an assistant asks for.
   */
  guardEmbeddingModel: string | null;
}

export { ConfigError } from '@lab/platform';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LlmWorkerConfig {
  const read = configReader(env);
  const { required, problems } = read;
  const { positive } = read;
  const metricsPort = Number(env.METRICS_PORT ?? 9464);
  if (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535)
    problems.push('METRICS_PORT must be a port number (0 turns the metrics listener off)');
  const temporalMetricsAddress = env.TEMPORAL_METRICS_ADDRESS || null;
  if (temporalMetricsAddress && !/^[^:\s]+:\d{1,5}$/.test(temporalMetricsAddress))
    problems.push('TEMPORAL_METRICS_ADDRESS must be host:port');
  const turnVaultKey = Buffer.from(required('TURN_VAULT_KEY'), 'base64');
  if (env.TURN_VAULT_KEY && turnVaultKey.length !== 32)
    problems.push('TURN_VAULT_KEY must be 32 bytes, base64');
  const config: LlmWorkerConfig = {
    temporalAddress: required('TEMPORAL_ADDRESS'),
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.TASK_QUEUE ?? TASK_QUEUES.chatTurns,
    redisUrl: required('REDIS_URL'),
    openaiBaseUrl: required('OPENAI_BASE_URL'),
    openaiApiKey: env.OPENAI_API_KEY ?? 'no-key',
    payloadKeys: required('PAYLOAD_KEYS'),
    turnVaultKey,
    llmTimeoutMs: positive('LLM_TIMEOUT_MS', 90_000),
    shutdownGraceMs: positive('SHUTDOWN_GRACE_MS', 20_000),
    maxConcurrentActivities: positive('MAX_CONCURRENT_ACTIVITIES', 200),
    metricsHost: env.METRICS_HOST || '127.0.0.1',
    metricsPort: metricsPort === 0 ? null : metricsPort,
    temporalMetricsAddress,
    guardEmbeddingModel: env.GUARD_EMBEDDING_MODEL || null,
  };
  read.check();
  return config;
}
