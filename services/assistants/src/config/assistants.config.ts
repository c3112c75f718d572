/**
 * The service's configuration, read from the environment once and validated at start-up:
 * a missing or malformed variable stops the service with a message naming it.
 */

import { ConfigError, configReader, type KeyRing, keyRingFromString } from '@lab/platform';
import { parseInternalTokens } from '@lab/platform/http';

export interface AssistantsConfig {
  host: string;
  port: number;
  databaseUrl: string;
  /** The Postgres schema this service owns; tests use one of their own. */
  databaseSchema: string;
  /** Internal callers by token: `gateway=...,sessions=...`. */
  internalTokens: ReadonlyMap<string, string>;
  /** The platform identity that owns the showcased assistants. */
  showcaseCreatorId: string;
  logLevel: string;
  bodyLimit: string;
  /** KAFKA_BROKERS; unset: the outbox relay and the event consumer are off (logged). */
  kafkaBrokers: string | null;
  /** EVENTS_TOPIC, default `chat.events`. */
  eventsTopic: string;
  /** PROMPT_KEYS: the key ring that wraps each prompt version's data key (current first). */
  promptKeys: KeyRing;
}

export { ConfigError };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AssistantsConfig {
  const read = configReader(env);
  const { required, problems } = read;
  const port = Number(env.PORT ?? 3001);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push('PORT must be a port number');
  const databaseSchema = env.DATABASE_SCHEMA ?? 'assistants';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) {
    problems.push('DATABASE_SCHEMA must be a lower-case SQL identifier');
  }
  const parsedTokens = parseInternalTokens(required('INTERNAL_TOKENS'));
  if (typeof parsedTokens === 'string') problems.push(parsedTokens);
  const internalTokens =
    typeof parsedTokens === 'string' ? new Map<string, string>() : parsedTokens;
  let promptKeys: KeyRing | undefined;
  try {
    promptKeys = keyRingFromString(required('PROMPT_KEYS'));
  } catch (error) {
    if (env.PROMPT_KEYS) problems.push(`PROMPT_KEYS: ${(error as Error).message}`);
  }
  const showcaseCreatorId = env.SHOWCASE_CREATOR_ID ?? '00000000-0000-4000-8000-000000000001';
  if (!UUID.test(showcaseCreatorId)) problems.push('SHOWCASE_CREATOR_ID must be a UUID');
  const config: Omit<AssistantsConfig, 'promptKeys'> = {
    host: env.HOST ?? '127.0.0.1',
    port,
    databaseUrl: required('DATABASE_URL'),
    databaseSchema,
    internalTokens,
    showcaseCreatorId,
    logLevel: env.LOG_LEVEL ?? 'info',
    bodyLimit: env.BODY_LIMIT ?? '256kb',
    kafkaBrokers: env.KAFKA_BROKERS || null,
    eventsTopic: env.EVENTS_TOPIC || 'chat.events',
  };
  read.check();
  // A PROMPT_KEYS problem was reported above; this only tells the compiler.
  if (!promptKeys) throw new ConfigError('invalid configuration: PROMPT_KEYS');
  return { ...config, promptKeys };
}

export const ASSISTANTS_CONFIG = Symbol('ASSISTANTS_CONFIG');
