/** The gateway's configuration, validated at start-up: a problem stops it with the variable's name. */
import { join, resolve, sep } from 'node:path';
import { ConfigError, configReader, type KeyRing, keyRingFromString } from '@lab/platform';
import type { HttpServerLimits } from '@lab/platform/http';
import {
  ADMIN_TOKEN_PREFIX,
  DEFAULT_PROVIDER_KEY_PATTERN,
  INTERNAL_TOKEN_PREFIX,
} from '../identity/credentials';

export interface GatewayConfig {
  host: string;
  port: number;
  /** The URL clients use (printed by scripts/up, the OpenAPI document's server). */
  publicUrl: string;
  databaseUrl: string;
  databaseSchema: string;
  redisUrl: string;
  /** Prefix of every Redis key the gateway writes (rate limits, the identity cache). */
  redisPrefix: string;
  assistantsUrl: string;
  /** The gateway's token at the assistants service. */
  assistantsToken: string;
  sessionsUrl: string;
  /** The gateway's token at the sessions service. */
  sessionsToken: string;
  /**
   * TURN_VAULT_KEY, 32 bytes base64, shared with the sessions service and the llm-worker: the
   * caller's key material crosses to the sessions service through the vault (`x-key-ref`).
   */
  turnVaultKey: Buffer;
  /** The LLM provider a bring-your-own key is checked against once (`GET /models`). */
  openaiBaseUrl: string;
  /** The global salt of the identity hash (PBKDF2-SHA256 of a user's OpenAI key). */
  identitySalt: string;
  identityIterations: number;
  /** Wraps the data keys of users without their own OpenAI key (OIDC people, API-key systems). */
  masterKeys: KeyRing;
  /** OIDC for portal users; unset: bearer JWTs are refused. */
  oidc: { issuer: string; audience: string; jwksUri?: string } | null;
  /** The portal's OAuth client id at the OIDC issuer (authorization code + PKCE). */
  oidcClientId: string;
  /** The portal's build (index.html and assets/), served at `/`; null: no portal. */
  portalDir: string | null;
  /** Bootstrap credential of the operators who create the first platform API keys. */
  adminToken: string | null;
  rateLimit: { capacity: number; refillPerSecond: number };
  /** Model tokens per minute per identity on the OpenAI-compatible routes (a bucket of a minute's worth). */
  tokenRateLimit: { capacity: number; refillPerSecond: number };
  /** Failed sign-ins per client address and per credential: SIGN_IN_FAILURES_BURST (10), _PER_MINUTE (10). */
  signInFailures: { capacity: number; refillPerSecond: number };
  bodyLimit: string;
  /** HEADERS_TIMEOUT_MS (10 s) and REQUEST_TIMEOUT_MS (30 s, the body included): 408 past them. */
  httpLimits: HttpServerLimits;
  /** PROVIDER_KEY_PATTERN: what a bring-your-own OpenAI key looks like (default `sk-` keys). */
  providerKeyPattern: RegExp;
  logLevel: string;
  /** KAFKA_BROKERS; unset: the event consumers (counters, usage) are off (logged). */
  kafkaBrokers: string | null;
  /** EVENTS_TOPIC, default `chat.events`. */
  eventsTopic: string;
  /** Cost caps per user in USD (SPEND_CAP_USER_DAILY_USD, _WEEKLY_, _MONTHLY_); null: no cap. */
  userSpendCaps: SpendCaps;
  /** PROMETHEUS_URL: the Prometheus the ops API reads the live metrics from; null: none. */
  prometheusUrl: string | null;
}

export interface SpendCaps {
  daily: number | null;
  weekly: number | null;
  monthly: number | null;
}

export { ConfigError } from '@lab/platform';

/** The repository's `portal/dist/web`, seen from this file in `src/` or `dist/src/`. */
function defaultPortalDir(): string {
  const root = resolve(
    __dirname,
    __dirname.includes(`${sep}dist${sep}`) ? '../../../../..' : '../../../..',
  );
  return join(root, 'portal', 'dist', 'web');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const read = configReader(env);
  const { required, problems } = read;
  const positive = (name: string, fallback: number) => read.positive(name, fallback, 'number');
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push('PORT must be a port number');
  const databaseSchema = env.DATABASE_SCHEMA ?? 'gateway';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema))
    problems.push('DATABASE_SCHEMA must be a lower-case SQL identifier');
  const identitySalt = required('IDENTITY_SALT');
  if (identitySalt && identitySalt.length < 16)
    problems.push('IDENTITY_SALT must be at least 16 characters');
  let masterKeys: KeyRing | undefined;
  try {
    masterKeys = keyRingFromString(required('MASTER_KEYS'));
  } catch (error) {
    if (env.MASTER_KEYS) problems.push(`MASTER_KEYS: ${(error as Error).message}`);
  }
  const issuer = env.OIDC_ISSUER;
  const audience = env.OIDC_AUDIENCE;
  if (Boolean(issuer) !== Boolean(audience))
    problems.push('OIDC_ISSUER and OIDC_AUDIENCE go together');
  const adminToken = env.ADMIN_TOKEN || null;
  if (
    adminToken &&
    (!adminToken.startsWith(ADMIN_TOKEN_PREFIX) ||
      adminToken.length < ADMIN_TOKEN_PREFIX.length + 24)
  )
    problems.push(`ADMIN_TOKEN must be ${ADMIN_TOKEN_PREFIX} and at least 24 more characters`);
  for (const name of ['ASSISTANTS_TOKEN', 'SESSIONS_TOKEN']) {
    const token = env[name];
    if (token && !token.startsWith(INTERNAL_TOKEN_PREFIX))
      problems.push(`${name} must start with ${INTERNAL_TOKEN_PREFIX} (an internal token)`);
  }
  let providerKeyPattern = DEFAULT_PROVIDER_KEY_PATTERN;
  if (env.PROVIDER_KEY_PATTERN) {
    try {
      providerKeyPattern = new RegExp(env.PROVIDER_KEY_PATTERN);
    } catch {
      problems.push('PROVIDER_KEY_PATTERN must be a regular expression');
    }
  }
  const cap = (name: string): number | null => {
    if (!env[name]) return null;
    const value = Number(env[name]);
    if (!Number.isFinite(value) || value < 0) problems.push(`${name} must be a USD amount`);
    return value;
  };
  const prometheusUrl = env.PROMETHEUS_URL || null;
  if (prometheusUrl && !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(prometheusUrl))
    problems.push('PROMETHEUS_URL must be an http(s) URL');
  const turnVaultKey = Buffer.from(required('TURN_VAULT_KEY'), 'base64');
  if (env.TURN_VAULT_KEY && turnVaultKey.length !== 32)
    problems.push('TURN_VAULT_KEY must be 32 bytes, base64');
  const host = env.HOST ?? '127.0.0.1';
  const config = {
    host,
    port,
    publicUrl: env.PUBLIC_URL ?? `http://${host}:${port}`,
    databaseUrl: required('DATABASE_URL'),
    databaseSchema,
    redisUrl: required('REDIS_URL'),
    redisPrefix: env.REDIS_PREFIX ?? 'gateway:',
    assistantsUrl: required('ASSISTANTS_URL'),
    assistantsToken: required('ASSISTANTS_TOKEN'),
    sessionsUrl: required('SESSIONS_URL'),
    sessionsToken: required('SESSIONS_TOKEN'),
    turnVaultKey,
    openaiBaseUrl: required('OPENAI_BASE_URL'),
    identitySalt,
    identityIterations: positive('IDENTITY_PBKDF2_ITERATIONS', 600_000),
    oidc:
      issuer && audience
        ? { issuer, audience, ...(env.OIDC_JWKS_URI ? { jwksUri: env.OIDC_JWKS_URI } : {}) }
        : null,
    oidcClientId: env.OIDC_CLIENT_ID || 'lab-portal',
    portalDir: env.PORTAL_DIR === 'off' ? null : env.PORTAL_DIR || defaultPortalDir(),
    adminToken,
    rateLimit: {
      capacity: positive('RATE_LIMIT_BURST', 60),
      refillPerSecond: positive('RATE_LIMIT_PER_SECOND', 5),
    },
    tokenRateLimit: {
      capacity: positive('RATE_LIMIT_TOKENS_PER_MINUTE', 1_000_000),
      refillPerSecond: positive('RATE_LIMIT_TOKENS_PER_MINUTE', 1_000_000) / 60,
    },
    signInFailures: {
      capacity: positive('SIGN_IN_FAILURES_BURST', 10),
      refillPerSecond: positive('SIGN_IN_FAILURES_PER_MINUTE', 10) / 60,
    },
    bodyLimit: env.BODY_LIMIT ?? '64kb',
    httpLimits: {
      headersTimeoutMs: positive('HEADERS_TIMEOUT_MS', 10_000),
      requestTimeoutMs: positive('REQUEST_TIMEOUT_MS', 30_000),
    },
    providerKeyPattern,
    logLevel: env.LOG_LEVEL ?? 'info',
    kafkaBrokers: env.KAFKA_BROKERS || null,
    eventsTopic: env.EVENTS_TOPIC || 'chat.events',
    userSpendCaps: {
      daily: cap('SPEND_CAP_USER_DAILY_USD'),
      weekly: cap('SPEND_CAP_USER_WEEKLY_USD'),
      monthly: cap('SPEND_CAP_USER_MONTHLY_USD'),
    },
    prometheusUrl,
  };
  read.check();
  // A MASTER_KEYS problem was reported above; this only tells the compiler.
  if (!masterKeys) throw new ConfigError('invalid configuration: MASTER_KEYS');
  return { ...config, masterKeys };
}

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
