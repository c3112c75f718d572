/**
 * The chat-turn system for a test suite, in this process: the mock LLM, the assistants service,
 * the sessions service (API and its Temporal worker) and, unless a suite runs its own, the
 * llm-worker, against the real PostgreSQL, Temporal and Redis. Every suite has its own schemas,
 * task queues and payload key.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import {
  CALLER_KEYS_TTL_MS,
  generateKeyRingString,
  holdCallerKeys,
  TurnVault,
} from '@lab/platform';
import { createIsolatedSchema, requireVariable, testNamespace } from '@lab/platform/testing';
import { type MockLlm, startMockLlm } from '@lab/mock-llm';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { register } from 'prom-client';
import { createApp as createAssistantsApp } from '../../assistants/src/app';
import { loadConfig as loadAssistantsConfig } from '../../assistants/src/config/assistants.config';
import { loadConfig as loadWorkerConfig, type LlmWorkerConfig } from '../../llm-worker/src/config';
import { createLlmWorker } from '../../llm-worker/src/worker';
import { createApp } from '../src/app';
import { loadConfig, type SessionsConfig } from '../src/config/sessions.config';

const GATEWAY_TOKEN = `gateway-${randomUUID()}`;
const SESSIONS_TOKEN = `sessions-${randomUUID()}`;
const quiet = () => new Writable({ write: (_chunk, _encoding, done) => done() });

export interface Answer<T = any> {
  status: number;
  body: T;
  text: string;
}

export interface User {
  id: string;
  dataKey: string;
}

export interface Platform {
  mock: MockLlm;
  /** The sessions service's base URL, for requests `call` cannot make (raw bodies). */
  sessionsUrl: string;
  /**
   * The environment of a sessions service process with this suite's configuration (listening
   * on `port`), for suites that run it as its own process (`inProcessSessions: false`).
   */
  sessionsEnv(port: number): Record<string, string>;
  /** Sends `call` and `stream` to another sessions service (a process of the suite's own). */
  useSessions(url: string): void;
  sessionsConfig: SessionsConfig;
  workerConfig: LlmWorkerConfig;
  db: Pool;
  /** The Redis the services use (the turn vault, the streams). */
  redis: Redis;
  logs(): string;
  newUser(): User;
  /**
   * The headers the gateway sends for a user: their id, and their key material left in the turn
   * vault under a reference (`x-key-ref`), with their own provider key when given.
   */
  keyHeaders(user: User, providerKey?: string): Promise<Record<string, string>>;
  createAssistant(user: User, overrides?: Record<string, unknown>): Promise<any>;
  /** One request to the assistants service, as the gateway would send it. */
  callAssistants<T = any>(
    method: string,
    path: string,
    user: User,
    body?: unknown,
  ): Promise<Answer<T>>;
  call<T = any>(
    method: string,
    path: string,
    user: User | null,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer<T>>;
  stream(
    path: string,
    user: User,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<Array<{ event: string; data: any }>>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export async function startPlatform(
  suite: string,
  options: {
    inProcessWorker?: boolean;
    inProcessSessions?: boolean;
    /** More (or other) variables of the sessions service. */
    sessionsEnv?: Record<string, string>;
  } = {},
): Promise<Platform> {
  // One Temporal runtime per process: a second platform of the same suite file shares it.
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // installed already
  }
  const ns = testNamespace(suite);
  const databaseUrl = requireVariable('DATABASE_URL');
  const mock = await startMockLlm();
  const payloadKeys = generateKeyRingString('test1');
  const turnVaultKey = randomBytes(32).toString('base64');

  const assistantsConfig = loadAssistantsConfig({
    DATABASE_URL: databaseUrl,
    DATABASE_SCHEMA: `${ns.schema}_a`,
    INTERNAL_TOKENS: `gateway=${GATEWAY_TOKEN},sessions=${SESSIONS_TOKEN}`,
    PROMPT_KEYS: generateKeyRingString('prompts1'),
  });
  const assistants: NestExpressApplication = await createAssistantsApp(assistantsConfig, quiet());
  await assistants.listen(0, '127.0.0.1');
  const assistantsUrl = `http://127.0.0.1:${(assistants.getHttpServer().address() as { port: number }).port}`;

  const sessionsVariables: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    DATABASE_SCHEMA: `${ns.schema}_s`,
    INTERNAL_TOKENS: `gateway=${GATEWAY_TOKEN}`,
    ASSISTANTS_URL: assistantsUrl,
    ASSISTANTS_TOKEN: SESSIONS_TOKEN,
    TEMPORAL_ADDRESS: requireVariable('TEMPORAL_ADDRESS'),
    TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
    CHAT_TURNS_TASK_QUEUE: `${ns.taskQueue}-turns`,
    SESSIONS_TASK_QUEUE: `${ns.taskQueue}-sessions`,
    PAYLOAD_KEYS: payloadKeys,
    REDIS_URL: requireVariable('REDIS_URL'),
    TURN_VAULT_KEY: turnVaultKey,
    LOG_LEVEL: 'debug',
    TURN_WAIT_MS: '60000',
    S3_ENDPOINT: requireVariable('S3_ENDPOINT'),
    S3_REGION: process.env.S3_REGION ?? 'us-east-1',
    S3_BUCKET: requireVariable('S3_BUCKET'),
    S3_ACCESS_KEY_ID: requireVariable('S3_ACCESS_KEY_ID'),
    S3_SECRET_ACCESS_KEY: requireVariable('S3_SECRET_ACCESS_KEY'),
    S3_FORCE_PATH_STYLE: process.env.S3_FORCE_PATH_STYLE ?? 'true',
    S3_PREFIX: ns.bucketPrefix,
    // Suites trigger the idle sweep's schedule themselves (archives test), not at every start.
    ARCHIVE_SCHEDULE: 'off',
    ...options.sessionsEnv,
  };
  const sessionsConfig = loadConfig(sessionsVariables);
  const captured: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      captured.push(chunk.toString());
      if (process.env.TEST_SERVICE_LOGS) process.stderr.write(chunk);
      done();
    },
  });
  // Two services in one process share prom-client's default registry: give the second its own.
  register.clear();
  let sessions: NestExpressApplication | undefined;
  let sessionsUrl = '';
  if (options.inProcessSessions !== false) {
    sessions = await createApp(sessionsConfig, logStream);
    await sessions.listen(0, '127.0.0.1');
    sessionsUrl = `http://127.0.0.1:${(sessions.getHttpServer().address() as { port: number }).port}`;
  }

  const workerConfig = loadWorkerConfig({
    TEMPORAL_ADDRESS: sessionsConfig.temporalAddress,
    TEMPORAL_NAMESPACE: sessionsConfig.temporalNamespace,
    TASK_QUEUE: sessionsConfig.chatTurnsTaskQueue,
    REDIS_URL: sessionsConfig.redisUrl,
    OPENAI_BASE_URL: mock.baseURL,
    OPENAI_API_KEY: 'test-key',
    PAYLOAD_KEYS: payloadKeys,
    TURN_VAULT_KEY: turnVaultKey,
    SHUTDOWN_GRACE_MS: '2000',
  });
  const redis = new Redis(sessionsConfig.redisUrl);
  let worker: { worker: Worker; running: Promise<void>; close: () => Promise<void> } | undefined;
  const startWorker = async () => {
    const created = await createLlmWorker(workerConfig, redis);
    worker = {
      worker: created.worker,
      running: created.worker.run(),
      close: () => created.connection.close(),
    };
  };
  const stopWorker = async () => {
    if (!worker) return;
    worker.worker.shutdown();
    await worker.running;
    await worker.close();
    worker = undefined;
  };
  if (options.inProcessWorker !== false) await startWorker();

  const db = new Pool({
    connectionString: databaseUrl,
    max: 2,
    options: `-c search_path=${ns.schema}_s`,
  });
  const dropSessions = await createIsolatedSchema(db, `${ns.schema}_s`);
  const dropAssistants = await createIsolatedSchema(db, `${ns.schema}_a`);

  const vault = new TurnVault(redis, Buffer.from(turnVaultKey, 'base64'), {
    ttlMs: CALLER_KEYS_TTL_MS,
  });
  const keyHeaders = async (user: User, providerKey?: string) => ({
    'x-user-id': user.id,
    'x-key-ref': await holdCallerKeys(vault, {
      dataKey: Buffer.from(user.dataKey, 'base64'),
      providerKey,
    }),
  });
  /** A test's `x-openai-key` stands for the user's own key: it travels in the vault entry. */
  const callerHeaders = async (user: User | null, headers: Record<string, string>) => {
    const { 'x-openai-key': providerKey, ...rest } = headers;
    return { ...(user ? await keyHeaders(user, providerKey) : {}), ...rest };
  };

  const request = async (
    base: string,
    method: string,
    path: string,
    user: User | null,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        'x-internal-token': GATEWAY_TOKEN,
        ...(await callerHeaders(user, headers)),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, body: parsed, text } as Answer;
  };

  return {
    mock,
    get sessionsUrl() {
      return sessionsUrl;
    },
    sessionsEnv: (port) => ({
      ...sessionsVariables,
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
    }),
    useSessions(url) {
      sessionsUrl = url;
    },
    sessionsConfig,
    workerConfig,
    db,
    redis,
    logs: () => captured.join(''),
    newUser: () => ({ id: randomUUID(), dataKey: randomBytes(32).toString('base64') }),
    keyHeaders,
    async createAssistant(user, overrides = {}) {
      const answer = await request(assistantsUrl, 'POST', '/assistants', user, {
        name: 'Test Coach',
        tagLine: 'Helps in tests',
        description: 'An assistant for integration tests.',
        sessionType: 'brainstorm',
        initialPrompt: 'You are a helpful assistant for tests. Answer briefly.',
        summaryPrompt: 'Summarise the conversation briefly.',
        modelConfig: {
          model: 'gpt-4o-mini',
          maxTokens: 200,
          temperature: 0.5,
          topP: 1,
          frequencyPenalty: 0,
          presencePenalty: 0,
        },
        ...overrides,
      });
      if (answer.status !== 201) throw new Error(`creating an assistant failed: ${answer.text}`);
      return answer.body;
    },
    callAssistants: (method, path, user, body) => request(assistantsUrl, method, path, user, body),
    call: (method, path, user, body, headers) =>
      request(sessionsUrl, method, path, user, body, headers),
    async stream(path, user, body, headers = {}) {
      const response = await fetch(`${sessionsUrl}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-internal-token': GATEWAY_TOKEN,
          ...(await callerHeaders(user, headers)),
        },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      return text
        .split('\n\n')
        .filter((block) => block.trim())
        .map((block) => {
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1] ?? 'null';
          return { event, data: JSON.parse(data) };
        });
    },
    startWorker,
    stopWorker,
    async close() {
      await stopWorker();
      await sessions?.close();
      await assistants.close();
      await mock.close();
      await redis.quit();
      await dropSessions();
      await dropAssistants();
      await db.end();
    },
  };
}
