/** The sessions service's configuration, validated at start-up. */
import { configReader } from '@lab/platform';
import { TASK_QUEUES } from '@lab/contracts';
import { parseInternalTokens } from '@lab/platform/http';

export interface SessionsConfig {
  host: string;
  port: number;
  databaseUrl: string;
  databaseSchema: string;
  internalTokens: ReadonlyMap<string, string>;
  assistantsUrl: string;
  /** This service's own token for the assistants service's snapshot. */
  assistantsToken: string;
  temporalAddress: string;
  temporalNamespace: string;
  /** The llm-worker's queue, where turns run. */
  chatTurnsTaskQueue: string;
  /** The queue this service's worker polls for the persistence activities. */
  sessionsTaskQueue: string;
  /** The payload codec's key ring (`id:base64key,...`), shared with the llm-worker. */
  payloadKeys: string;
  redisUrl: string;
  /**
   * TURN_VAULT_KEY, 32 bytes base64, shared with the llm-worker: encrypts the per-turn copies of
   * a user's data key and own provider key held in Redis (the turn vault).
   */
  turnVaultKey: Buffer;
  /** How long a request waits for its turn before answering 504 (the turn goes on). */
  turnWaitMs: number;
  logLevel: string;
  bodyLimit: string;
  maxMessageChars: number;
  /** KAFKA_BROKERS; unset: the outbox relay is off (logged) and events wait in the outbox. */
  kafkaBrokers: string | null;
  /** EVENTS_TOPIC, default `chat.events`. */
  eventsTopic: string;
  /** Object storage for archives and attachments; null when S3_ENDPOINT is not given. */
  storage: StorageConfig | null;
  archiving: ArchivingConfig;
  /** ATTACHMENT_MAX_BYTES (1 MiB): the largest attachment a user may upload. */
  attachmentMaxBytes: number;
}

/** The S3_* variables (the infrastructure's), plus where this service's objects go. */
export interface StorageConfig {
  endpoint: string;
  /** S3_PUBLIC_ENDPOINT: the endpoint presigned URLs name, as clients reach it (S3_ENDPOINT). */
  publicEndpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  /** S3_PREFIX (or ARCHIVE_PREFIX): prepended to every key, e.g. a namespace (empty). */
  prefix: string;
}

export interface ArchivingConfig {
  /** SESSION_IDLE_MINUTES (60; a fraction is allowed): an active session untouched this long is ended and archived. */
  idleMinutes: number;
  /** ARCHIVE_SWEEP_MINUTES (5): how often the idle sweep runs. */
  sweepMinutes: number;
  /** ARCHIVE_SCHEDULE (`on`): `off` leaves the sweep's Temporal schedule alone. */
  schedule: boolean;
  /** ARCHIVE_URL_TTL_SECONDS (300): how long a download link lives. */
  urlTtlSeconds: number;
}

export { ConfigError } from '@lab/platform';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SessionsConfig {
  const read = configReader(env);
  const { required, problems } = read;
  const port = Number(env.PORT ?? 3002);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push('PORT must be a port number');
  const databaseSchema = env.DATABASE_SCHEMA ?? 'sessions';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema))
    problems.push('DATABASE_SCHEMA must be a lower-case SQL identifier');
  const tokens = parseInternalTokens(required('INTERNAL_TOKENS'));
  if (typeof tokens === 'string') problems.push(tokens);
  const turnVaultKey = Buffer.from(required('TURN_VAULT_KEY'), 'base64');
  if (env.TURN_VAULT_KEY && turnVaultKey.length !== 32)
    problems.push('TURN_VAULT_KEY must be 32 bytes, base64');
  const { positive } = read;
  const config: SessionsConfig = {
    host: env.HOST ?? '127.0.0.1',
    port,
    databaseUrl: required('DATABASE_URL'),
    databaseSchema,
    internalTokens: typeof tokens === 'string' ? new Map() : tokens,
    assistantsUrl: required('ASSISTANTS_URL'),
    assistantsToken: required('ASSISTANTS_TOKEN'),
    temporalAddress: required('TEMPORAL_ADDRESS'),
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    chatTurnsTaskQueue: env.CHAT_TURNS_TASK_QUEUE ?? TASK_QUEUES.chatTurns,
    sessionsTaskQueue: env.SESSIONS_TASK_QUEUE ?? TASK_QUEUES.sessions,
    payloadKeys: required('PAYLOAD_KEYS'),
    redisUrl: required('REDIS_URL'),
    turnVaultKey,
    turnWaitMs: Number(env.TURN_WAIT_MS ?? 120_000),
    logLevel: env.LOG_LEVEL ?? 'info',
    bodyLimit: env.BODY_LIMIT ?? '256kb',
    maxMessageChars: Number(env.MAX_MESSAGE_CHARS ?? 16_000),
    kafkaBrokers: env.KAFKA_BROKERS || null,
    eventsTopic: env.EVENTS_TOPIC || 'chat.events',
    storage: env.S3_ENDPOINT ? storageConfig(env, required) : null,
    archiving: {
      idleMinutes: positive('SESSION_IDLE_MINUTES', 60, 'number'),
      sweepMinutes: positive('ARCHIVE_SWEEP_MINUTES', 5),
      schedule: (env.ARCHIVE_SCHEDULE ?? 'on') !== 'off',
      urlTtlSeconds: positive('ARCHIVE_URL_TTL_SECONDS', 300),
    },
    attachmentMaxBytes: positive('ATTACHMENT_MAX_BYTES', 1024 * 1024),
  };
  read.check();
  return config;
}

/** Given S3_ENDPOINT, the other S3_* variables are required too. */
function storageConfig(env: NodeJS.ProcessEnv, required: (name: string) => string): StorageConfig {
  const endpoint = required('S3_ENDPOINT');
  return {
    endpoint,
    publicEndpoint: env.S3_PUBLIC_ENDPOINT || endpoint,
    region: env.S3_REGION || 'us-east-1',
    bucket: required('S3_BUCKET'),
    accessKeyId: required('S3_ACCESS_KEY_ID'),
    secretAccessKey: required('S3_SECRET_ACCESS_KEY'),
    forcePathStyle: env.S3_FORCE_PATH_STYLE !== 'false',
    prefix: env.S3_PREFIX ?? env.ARCHIVE_PREFIX ?? '',
  };
}

export const SESSIONS_CONFIG = Symbol('SESSIONS_CONFIG');
