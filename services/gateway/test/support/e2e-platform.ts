/**
 * The whole platform for end-to-end tests, as it runs in production: the four services as their
 * own Node processes (from their built `dist/`), against the real PostgreSQL, Temporal and
 * Redis, with the project's mock LLM and a local OIDC issuer in this process. Every suite has its
 * own schemas, task queues, Redis prefix and secrets. The processes' logs are kept, so a test can
 * prove a secret never reached them. The mock LLM watches for the platform's secrets (the admin
 * token, the internal tokens): `close()` fails the suite if any of them ever reached it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateKeyRingString } from '@lab/platform';
import {
  createIsolatedSchema,
  freeServicePort,
  requireVariable,
  type TestNamespace,
  testNamespace,
} from '@lab/platform/testing';
import { type MockLlm, startMockLlm } from '@lab/mock-llm';
import { Pool } from 'pg';
import { type LocalOidcIssuer, startOidcIssuer } from './oidc-issuer';

/** The repository: up from here (its sources under test/, or built under dist/test/). */
const ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'services', 'gateway', 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no repository above ${__dirname}`);
    dir = up;
  }
  return dir;
})();

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface E2ePlatform {
  url: string;
  mock: MockLlm;
  oidc: LocalOidcIssuer;
  adminToken: string;
  /** The suite's Postgres schemas, for tests that compare with the database's truth. */
  schemas: { assistants: string; sessions: string; gateway: string };
  /** The suite's events topic (with `events: true`). */
  eventsTopic: string;
  /** The llm-worker's Prometheus endpoint (it has no other HTTP server). */
  workerMetricsUrl: string;
  /** The sessions service (internal; for its `/metrics`). */
  sessionsUrl: string;
  /** The assistants service (internal). */
  assistantsUrl: string;
  /** Every line the four services wrote so far. */
  logs(): string;
  /** The gateway's token for the internal services (a benchmark calls them directly). */
  internalToken: string;
  /** The services' process ids, by name. */
  pids(): Record<string, number>;
  /** The suite's isolation: schema, topic, task queue prefix, bucket and Redis prefixes. */
  namespace: TestNamespace;
  /** The suite's task queues (the sessions worker's and the llm-worker's). */
  taskQueues: { sessions: string; turns: string };
  /** Every key the servers hold (what a privacy test tries on what the stores keep). */
  serverKeys: { payloadKeys: string; turnVaultKey: string; masterKeys: string; promptKeys: string };
  /** Kills a service without warning (SIGKILL) and waits until it is gone. */
  kill(name: ServiceName): Promise<void>;
  /** Starts a service again, as it was started, and waits until it serves (or polls). */
  restart(name: ServiceName): Promise<void>;
  /** A request to the gateway with `Authorization: Bearer <credential>` (none when null). */
  call<T = any>(
    method: string,
    path: string,
    credential: string | null,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer<T>>;
  /** A streamed request: the Server-Sent Events, parsed. */
  stream(
    path: string,
    credential: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; events: Array<{ event: string; data: any }> }>;
  close(): Promise<void>;
}

export type ServiceName = 'assistants' | 'llm-worker' | 'sessions' | 'gateway';

/** Where the services find the infrastructure, when not where the suite's variables say. */
export interface InfrastructureAddresses {
  DATABASE_URL?: string;
  REDIS_URL?: string;
  TEMPORAL_ADDRESS?: string;
  S3_ENDPOINT?: string;
}

export interface E2eOptions {
  /** The services' infrastructure through other addresses (a chaos suite's proxies). */
  infrastructure?: InfrastructureAddresses;
  /** Variables of one service over everything else (e.g. its own way to Temporal). */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** How long the sessions service lets a request wait for its turn (TURN_WAIT_MS, 60 s). */
  turnWaitMs?: number;
  rateLimitBurst?: number;
  rateLimitPerSecond?: number;
  /** Export traces (OTLP/HTTP JSON) to this endpoint, each service under its own name. */
  otlpEndpoint?: string;
  /** Run the outbox relays and event consumers on a topic of the suite's own (KAFKA_BROKERS). */
  events?: boolean | { brokers: string };
  /** More gateway variables (spend caps). */
  gatewayEnv?: Record<string, string>;
  /** The mock LLM's fixed latency (default none). */
  mockLatencyMs?: number;
  /** The services' LOG_LEVEL (default `debug`). */
  logLevel?: string;
  /** Keep what the services write once they are up, for `logs()` (default true; a benchmark does not). */
  keepLogs?: boolean;
  /**
   * The address the gateway is to use for an internal service, given the service's own (e.g. a
   * recording proxy in front of it, for a test of what crosses the internal hops).
   */
  internalHop?: (service: 'assistants' | 'sessions', url: string) => Promise<string>;
}

/** A bring-your-own OpenAI key for a test user (the mock accepts any key without `invalid`). */
export const openAiKey = () => `sk-test-${randomBytes(18).toString('base64url')}`;

export async function startE2ePlatform(
  suite: string,
  options: E2eOptions = {},
): Promise<E2ePlatform> {
  const ns = testNamespace(suite);
  const databaseUrl = requireVariable('DATABASE_URL');
  const redisUrl = requireVariable('REDIS_URL');
  const temporalAddress = requireVariable('TEMPORAL_ADDRESS');
  const gatewayToken = `labint_${randomBytes(24).toString('hex')}`;
  const sessionsToken = `labint_${randomBytes(24).toString('hex')}`;
  const adminToken = `labadm_${randomBytes(24).toString('hex')}`;
  const secrets = [adminToken, gatewayToken, sessionsToken];
  const mock = await startMockLlm({
    ...(options.mockLatencyMs === undefined ? {} : { latencyMs: options.mockLatencyMs }),
    watchFor: secrets,
  });
  const oidc = await startOidcIssuer();
  const payloadKeys = generateKeyRingString('e2e1');
  const vaultKey = randomBytes(32).toString('base64');
  const masterKeys = generateKeyRingString('master1');
  const promptKeys = generateKeyRingString('prompts1');
  const [assistantsPort, sessionsPort, gatewayPort, workerMetricsPort] = [
    await freeServicePort(),
    await freeServicePort(),
    await freeServicePort(),
    await freeServicePort(),
  ];
  const schemas = {
    assistants: `${ns.schema}_a`,
    sessions: `${ns.schema}_s`,
    gateway: `${ns.schema}_g`,
  };
  const via = options.infrastructure ?? {};
  const common = {
    PATH: process.env.PATH ?? '',
    // Node flags for every service (SERVICE_NODE_OPTIONS), e.g. a benchmark's experiment.
    ...(process.env.SERVICE_NODE_OPTIONS ? { NODE_OPTIONS: process.env.SERVICE_NODE_OPTIONS } : {}),
    HOST: '127.0.0.1',
    LOG_LEVEL: options.logLevel ?? 'debug',
    DATABASE_URL: via.DATABASE_URL ?? databaseUrl,
    TEMPORAL_ADDRESS: via.TEMPORAL_ADDRESS ?? temporalAddress,
    REDIS_URL: via.REDIS_URL ?? redisUrl,
    PAYLOAD_KEYS: payloadKeys,
    TURN_VAULT_KEY: vaultKey,
    CHAT_TURNS_TASK_QUEUE: `${ns.taskQueue}-turns`,
    SESSIONS_TASK_QUEUE: `${ns.taskQueue}-sessions`,
  };
  const events: Record<string, string> = options.events
    ? {
        KAFKA_BROKERS:
          typeof options.events === 'object'
            ? options.events.brokers
            : requireVariable('KAFKA_BROKERS'),
        EVENTS_TOPIC: ns.topic,
      }
    : {};
  // The sessions service's archives and attachments, under the suite's own prefix.
  const objectStorage: Record<string, string> = {
    S3_ENDPOINT: via.S3_ENDPOINT ?? requireVariable('S3_ENDPOINT'),
    S3_REGION: process.env.S3_REGION ?? 'us-east-1',
    S3_BUCKET: requireVariable('S3_BUCKET'),
    S3_ACCESS_KEY_ID: requireVariable('S3_ACCESS_KEY_ID'),
    S3_SECRET_ACCESS_KEY: requireVariable('S3_SECRET_ACCESS_KEY'),
    S3_FORCE_PATH_STYLE: process.env.S3_FORCE_PATH_STYLE ?? 'true',
    S3_PREFIX: ns.bucketPrefix,
    ARCHIVE_SCHEDULE: 'off',
  };
  const logs: string[] = [];
  const children: ChildProcess[] = [];
  const pids: Record<string, number> = {};
  /** Each service's process and variables, to kill and start again. */
  const running = new Map<ServiceName, { child: ChildProcess; env: Record<string, string> }>();
  // Without keepLogs, only until every service is up (start-up failures still show them).
  let keeping = true;
  const start = (name: ServiceName, env: Record<string, string>) => {
    const tracing: Record<string, string> = options.otlpEndpoint
      ? {
          OTEL_SERVICE_NAME: name,
          OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpEndpoint,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_BSP_SCHEDULE_DELAY: '200',
        }
      : {};
    const child = spawn(
      process.execPath,
      [join(ROOT, 'services', name, 'dist', 'src', 'main.js')],
      {
        env: { ...common, ...tracing, ...env, ...options.serviceEnv?.[name] },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const keep = (chunk: Buffer) => {
      if (!keeping) return;
      logs.push(chunk.toString());
      if (process.env.TEST_SERVICE_LOGS) process.stderr.write(`[${name}] ${chunk.toString()}`);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    children.push(child);
    if (child.pid !== undefined) pids[name] = child.pid;
    running.set(name, { child, env });
    return child;
  };
  const healthy = async (name: string, child: ChildProcess, url: string) => {
    for (let i = 0; i < 240; i += 1) {
      if (child.exitCode !== null) break;
      const ok = await fetch(url).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${name} did not become healthy at ${url}:\n${logs.join('').slice(-3000)}`);
  };
  const printed = async (name: string, child: ChildProcess, text: string, times = 1) => {
    for (let i = 0; i < 240; i += 1) {
      if (logs.join('').split(text).length > times) return;
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${name} did not start:\n${logs.join('').slice(-3000)}`);
  };

  const db = new Pool({ connectionString: databaseUrl, max: 1 });
  const drops = [
    await createIsolatedSchema(db, schemas.assistants),
    await createIsolatedSchema(db, schemas.sessions),
    await createIsolatedSchema(db, schemas.gateway),
  ];
  // Whatever started is stopped again, also when the start fails half-way (a process left
  // behind would keep jest from exiting).
  const shutdown = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    const sightings = mock.sightings();
    await mock.close();
    await oidc.close();
    for (const drop of drops) await drop();
    await db.end();
    if (sightings.length > 0) {
      const names = ['ADMIN_TOKEN', 'the gateway internal token', 'the sessions internal token'];
      throw new Error(
        `a platform secret reached the mock LLM: ${sightings
          .map((s) => `${names[s.watched]} in the ${s.where} of ${s.method} ${s.path}`)
          .join('; ')}`,
      );
    }
  };

  try {
    const assistants = start('assistants', {
      PORT: String(assistantsPort),
      DATABASE_SCHEMA: schemas.assistants,
      INTERNAL_TOKENS: `gateway=${gatewayToken},sessions=${sessionsToken}`,
      PROMPT_KEYS: promptKeys,
      ...events,
    });
    const worker = start('llm-worker', {
      TASK_QUEUE: common.CHAT_TURNS_TASK_QUEUE,
      OPENAI_BASE_URL: mock.baseURL,
      OPENAI_API_KEY: 'sk-platform-configured-key',
      SHUTDOWN_GRACE_MS: '2000',
      METRICS_PORT: String(workerMetricsPort),
    });
    await healthy('assistants', assistants, `http://127.0.0.1:${assistantsPort}/healthz`);
    const sessions = start('sessions', {
      PORT: String(sessionsPort),
      DATABASE_SCHEMA: schemas.sessions,
      INTERNAL_TOKENS: `gateway=${gatewayToken}`,
      ASSISTANTS_URL: `http://127.0.0.1:${assistantsPort}`,
      ASSISTANTS_TOKEN: sessionsToken,
      TURN_WAIT_MS: String(options.turnWaitMs ?? 60_000),
      ...objectStorage,
      ...events,
    });
    const hop = options.internalHop ?? ((_service, address: string) => Promise.resolve(address));
    const gateway = start('gateway', {
      PORT: String(gatewayPort),
      DATABASE_SCHEMA: schemas.gateway,
      REDIS_PREFIX: ns.redisPrefix,
      ASSISTANTS_URL: await hop('assistants', `http://127.0.0.1:${assistantsPort}`),
      ASSISTANTS_TOKEN: gatewayToken,
      SESSIONS_URL: await hop('sessions', `http://127.0.0.1:${sessionsPort}`),
      SESSIONS_TOKEN: gatewayToken,
      OPENAI_BASE_URL: mock.baseURL,
      IDENTITY_SALT: randomBytes(16).toString('hex'),
      IDENTITY_PBKDF2_ITERATIONS: '20000',
      MASTER_KEYS: masterKeys,
      OIDC_ISSUER: oidc.issuer,
      OIDC_AUDIENCE: oidc.audience,
      ADMIN_TOKEN: adminToken,
      RATE_LIMIT_BURST: String(options.rateLimitBurst ?? 200),
      RATE_LIMIT_PER_SECOND: String(options.rateLimitPerSecond ?? 50),
      SIGN_IN_FAILURES_BURST: '100',
      BODY_LIMIT: '64kb',
      ...events,
      ...options.gatewayEnv,
    });
    await Promise.all([
      healthy('sessions', sessions, `http://127.0.0.1:${sessionsPort}/healthz`),
      healthy('gateway', gateway, `http://127.0.0.1:${gatewayPort}/healthz`),
      printed('llm-worker', worker, 'llm-worker polling'),
    ]);
  } catch (error) {
    await shutdown().catch(() => undefined);
    throw error;
  }
  const url = `http://127.0.0.1:${gatewayPort}`;
  const ports: Partial<Record<ServiceName, number>> = {
    assistants: assistantsPort,
    sessions: sessionsPort,
    gateway: gatewayPort,
  };
  const kill = async (name: ServiceName) => {
    const { child } = running.get(name) ?? {};
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  };
  const restart = async (name: ServiceName) => {
    const was = running.get(name);
    if (!was) throw new Error(`${name} was never started`);
    await kill(name);
    const polled = logs.join('').split('llm-worker polling').length - 1;
    const child = start(name, was.env);
    const port = ports[name];
    if (port) await healthy(name, child, `http://127.0.0.1:${port}/healthz`);
    else await printed(name, child, 'llm-worker polling', polled + 1);
  };
  if (options.keepLogs === false) {
    keeping = false;
    logs.length = 0;
  }

  const headersFor = (
    credential: string | null,
    headers: Record<string, string>,
    body: unknown,
  ) => ({
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(credential ? { authorization: `Bearer ${credential}` } : {}),
    ...headers,
  });

  return {
    url,
    mock,
    oidc,
    adminToken,
    schemas,
    eventsTopic: ns.topic,
    workerMetricsUrl: `http://127.0.0.1:${workerMetricsPort}/metrics`,
    sessionsUrl: `http://127.0.0.1:${sessionsPort}`,
    assistantsUrl: `http://127.0.0.1:${assistantsPort}`,
    logs: () => logs.join(''),
    internalToken: gatewayToken,
    pids: () => ({ ...pids }),
    namespace: ns,
    taskQueues: { sessions: common.SESSIONS_TASK_QUEUE, turns: common.CHAT_TURNS_TASK_QUEUE },
    serverKeys: { payloadKeys, turnVaultKey: vaultKey, masterKeys, promptKeys },
    kill,
    restart,
    async call(method, path, credential, body, headers = {}) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: headersFor(credential, headers, body),
        ...(body !== undefined
          ? { body: typeof body === 'string' ? body : JSON.stringify(body) }
          : {}),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: response.status, headers: response.headers, body: parsed as any, text };
    },
    async stream(path, credential, body, headers = {}) {
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { ...headersFor(credential, headers, body), accept: 'text/event-stream' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      const events = text
        .split('\n\n')
        .filter((block) => block.trim())
        .map((block) => {
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
          let parsed: unknown = data;
          try {
            parsed = JSON.parse(data);
          } catch {
            // [DONE] and the like
          }
          return { event, data: parsed as any };
        });
      return { status: response.status, events };
    },
    close: shutdown,
  };
}

export const idempotencyKey = () => randomUUID();
