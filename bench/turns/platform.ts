/**
 * The chat-turn system in this process, composed like services/sessions/test/platform-harness.ts:
 * the mock LLM (fixed latency), the assistants service, the sessions service (API and its
 * Temporal worker on the sessions queue) and the llm-worker, against the real PostgreSQL,
 * Temporal and Redis, with schemas, task queues and keys of their own (dropped on close).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { generateKeyRingString } from '@lab/platform';
import { createIsolatedSchema, testNamespace } from '@lab/platform/testing';
import { type MockLlm, startMockLlm } from '@lab/mock-llm';
import { createApp as createAssistantsApp } from '@lab/assistants/dist/src/app';
import { loadConfig as loadAssistantsConfig } from '@lab/assistants/dist/src/config/assistants.config';
import { createApp as createSessionsApp } from '@lab/sessions/dist/src/app';
import {
  loadConfig as loadSessionsConfig,
  type SessionsConfig,
} from '@lab/sessions/dist/src/config/sessions.config';
import {
  loadConfig as loadWorkerConfig,
  type LlmWorkerConfig,
} from '@lab/llm-worker/dist/src/config';
import { createLlmWorker, type LlmWorker } from '@lab/llm-worker/dist/src/worker';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, type WorkerOptions } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { register } from 'prom-client';

/** The assistant every bench session talks to; the baseline sends the same prompt and settings. */
export const ASSISTANT = {
  name: 'Bench Coach',
  tagLine: 'Answers benchmark turns',
  description: 'An assistant for bench/turns.',
  sessionType: 'brainstorm',
  initialPrompt: 'You are a helpful assistant for a benchmark. Answer briefly and politely.',
  summaryPrompt: 'Summarise the conversation briefly.',
  modelConfig: {
    model: 'gpt-4o-mini',
    maxTokens: 200,
    temperature: 0.5,
    topP: 1,
    frequencyPenalty: 0,
    presencePenalty: 0,
  },
} as const;

/** The sessions service's pool (fixed at 20 in its AppModule); the baseline gets the same. */
export const SERVICE_POOL_SIZE = 20;

const quiet = () => new Writable({ write: (_chunk, _encoding, done) => done() });

export interface Answer {
  status: number;
  body: unknown;
  text: string;
}

export interface BenchPlatform {
  mock: MockLlm;
  sessionsConfig: SessionsConfig;
  workerConfig: LlmWorkerConfig;
  /** The sessions service's schema, for the baseline's transactions (its own pool). */
  sessionsSchema: string;
  databaseUrl: string;
  /** Raw Temporal client (no codec): histories are read for their timestamps only. */
  temporal: Client;
  userId: string;
  dataKey: string;
  assistantId: string;
  /** One request to the sessions API as the gateway would send it. */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer>;
  close(): Promise<void>;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run eval "$(scripts/infra/infra env)" first (scripts/infra/infra up if it is down)`,
    );
  }
  return value;
}

/** The llm-worker as the service builds it, or with `WorkerOptions` overrides composed here. */
async function startLlmWorker(
  config: LlmWorkerConfig,
  redis: Redis,
  overrides: Partial<WorkerOptions> | null,
): Promise<LlmWorker> {
  return createLlmWorker(config, redis, overrides ?? {});
}

export async function startPlatform(options: {
  latencyMs: number;
  workerOptions: Record<string, unknown> | null;
}): Promise<BenchPlatform> {
  const databaseUrl = env('DATABASE_URL');
  const temporalAddress = env('TEMPORAL_ADDRESS');
  const redisUrl = env('REDIS_URL');
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  // No signal handling by Temporal: on SIGINT the bench stops starting turns, lets the running
  // ones finish, then shuts the workers down itself.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const ns = testNamespace('bench_turns');
  const gatewayToken = `gateway-${randomUUID()}`;
  const sessionsToken = `sessions-${randomUUID()}`;
  const payloadKeys = generateKeyRingString('bench1');
  const turnVaultKey = randomBytes(32).toString('base64');
  const steps: Array<[string, () => Promise<void>]> = [];
  const cleanup = { push: (name: string, step: () => Promise<void>) => steps.push([name, step]) };
  const close = async () => {
    for (const [name, step] of steps.reverse()) {
      try {
        await step();
      } catch (error) {
        process.stderr.write(
          `cleanup (${name}): ${error instanceof Error ? error.message : String(error)}\n`,
        );
      }
    }
  };

  try {
    // The schemas are dropped however far start-up got (creating them first is idempotent).
    const admin = new Pool({ connectionString: databaseUrl, max: 1 });
    cleanup.push('admin pool', () => admin.end());
    cleanup.push('drop assistants schema', await createIsolatedSchema(admin, `${ns.schema}_a`));
    cleanup.push('drop sessions schema', await createIsolatedSchema(admin, `${ns.schema}_s`));

    const mock = await startMockLlm({ latencyMs: options.latencyMs });
    cleanup.push('mock LLM', () => mock.close());

    const assistantsConfig = loadAssistantsConfig({
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: `${ns.schema}_a`,
      INTERNAL_TOKENS: `gateway=${gatewayToken},sessions=${sessionsToken}`,
    });
    const assistants: NestExpressApplication = await createAssistantsApp(assistantsConfig, quiet());
    cleanup.push('assistants app', () => assistants.close());
    await assistants.listen(0, '127.0.0.1');
    const assistantsUrl = `http://127.0.0.1:${(assistants.getHttpServer().address() as { port: number }).port}`;

    const sessionsConfig = loadSessionsConfig({
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: `${ns.schema}_s`,
      INTERNAL_TOKENS: `gateway=${gatewayToken}`,
      ASSISTANTS_URL: assistantsUrl,
      ASSISTANTS_TOKEN: sessionsToken,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: namespace,
      CHAT_TURNS_TASK_QUEUE: `${ns.taskQueue}-turns`,
      SESSIONS_TASK_QUEUE: `${ns.taskQueue}-sessions`,
      PAYLOAD_KEYS: payloadKeys,
      REDIS_URL: redisUrl,
      TURN_VAULT_KEY: turnVaultKey,
      // Request logs are produced (as in production) and discarded.
      LOG_LEVEL: 'info',
      TURN_WAIT_MS: '60000',
    });
    // Two services in one process share prom-client's default registry: give the second its own.
    register.clear();
    const sessions = await createSessionsApp(sessionsConfig, quiet());
    cleanup.push('sessions app and its worker', () => sessions.close());
    await sessions.listen(0, '127.0.0.1');
    const sessionsUrl = `http://127.0.0.1:${(sessions.getHttpServer().address() as { port: number }).port}`;

    const workerConfig = loadWorkerConfig({
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: namespace,
      TASK_QUEUE: sessionsConfig.chatTurnsTaskQueue,
      REDIS_URL: redisUrl,
      OPENAI_BASE_URL: mock.baseURL,
      OPENAI_API_KEY: 'bench-key',
      PAYLOAD_KEYS: payloadKeys,
      TURN_VAULT_KEY: turnVaultKey,
      SHUTDOWN_GRACE_MS: '2000',
    });
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
    cleanup.push('redis', async () => {
      await redis.quit();
    });
    const llmWorker = await startLlmWorker(workerConfig, redis, options.workerOptions);
    const running = llmWorker.worker.run().catch((error: unknown) => {
      process.stderr.write(`llm-worker stopped: ${String(error)}\n`);
    });
    cleanup.push('llm-worker', async () => {
      if (llmWorker.worker.getState() === 'RUNNING') llmWorker.worker.shutdown();
      await running;
      await llmWorker.connection.close();
    });

    const connection = await Connection.connect({ address: temporalAddress });
    cleanup.push('temporal client', () => connection.close());
    const temporal = new Client({ connection, namespace });

    const userId = randomUUID();
    const dataKey = randomBytes(32).toString('base64');
    const request = async (
      base: string,
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<Answer> => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          'x-internal-token': gatewayToken,
          'x-user-id': userId,
          'x-data-key': dataKey,
          ...headers,
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
      return { status: response.status, body: parsed, text };
    };

    const created = await request(assistantsUrl, 'POST', '/assistants', ASSISTANT);
    if (created.status !== 201) throw new Error(`creating the assistant failed: ${created.text}`);
    const assistantId = (created.body as { id: string }).id;

    return {
      mock,
      sessionsConfig,
      workerConfig,
      sessionsSchema: `${ns.schema}_s`,
      databaseUrl,
      temporal,
      userId,
      dataKey,
      assistantId,
      call: (method, path, body, headers) => request(sessionsUrl, method, path, body, headers),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A pool on the sessions service's schema, sized like the service's own. */
export function sessionsPool(platform: BenchPlatform): Pool {
  return new Pool({
    connectionString: platform.databaseUrl,
    max: SERVICE_POOL_SIZE,
    options: `-c search_path="${platform.sessionsSchema}"`,
  });
}
