/** The sessions service's configuration, validated at start-up. */
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
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SessionsConfig {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name];
    if (!value) problems.push(`${name} is required`);
    return value ?? '';
  };
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
  };
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return config;
}

export const SESSIONS_CONFIG = Symbol('SESSIONS_CONFIG');
