/**
 * The measured system as it runs in production: the four services as their own Node processes
 * from their built `dist/` (the end-to-end harness of the gateway's tests), against the real
 * PostgreSQL, Temporal and Redis, with schemas, task queues and keys of their own (dropped on
 * close). This process hosts the client, the baseline and the mock LLM (fixed latency).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type E2ePlatform, startE2ePlatform } from '@lab/gateway/dist/test/support/e2e-platform';
import { CALLER_KEYS_TTL_MS, holdCallerKeys, TurnVault } from '@lab/platform';
import type { MockLlm } from '@lab/mock-llm';
import { Redis } from 'ioredis';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';

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

export interface Answer {
  status: number;
  body: unknown;
  text: string;
}

export interface BenchPlatform {
  e2e: E2ePlatform;
  mock: MockLlm;
  /** The sessions service's schema, for the baseline's transactions (its own pool). */
  sessionsSchema: string;
  databaseUrl: string;
  /** Raw Temporal client (no codec): histories are read for their timestamps only. */
  temporal: Client;
  userId: string;
  dataKey: string;
  assistantId: string;
  /** The assistant's share code, for `model: "assistant/<code>"` on the compatible API. */
  assistantShareCode: string;
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

export async function startPlatform(options: { latencyMs: number }): Promise<BenchPlatform> {
  const databaseUrl = env('DATABASE_URL');
  const temporalAddress = env('TEMPORAL_ADDRESS');
  const e2e = await startE2ePlatform('bench_turns', {
    mockLatencyMs: options.latencyMs,
    logLevel: 'info',
    keepLogs: false,
    // The bench's load comes from one user at a time per session: no limit in the way.
    rateLimitBurst: 100_000,
    rateLimitPerSecond: 100_000,
  });
  const connection = await Connection.connect({ address: temporalAddress });
  const temporal = new Client({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
  });
  const userId = randomUUID();
  const dataKey = randomBytes(32);
  const sessionsUrl = e2e.sessionsUrl;
  // As the gateway does: the data key crosses to the sessions service through the turn vault.
  const redis = new Redis(process.env.REDIS_URL ?? '');
  const vault = new TurnVault(redis, Buffer.from(e2e.serverKeys.turnVaultKey, 'base64'), {
    ttlMs: CALLER_KEYS_TTL_MS,
  });
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
        'x-internal-token': e2e.internalToken,
        'x-user-id': userId,
        ...(base === sessionsUrl ? { 'x-key-ref': await holdCallerKeys(vault, { dataKey }) } : {}),
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
  try {
    const created = await request(e2e.assistantsUrl, 'POST', '/assistants', ASSISTANT);
    if (created.status !== 201) throw new Error(`creating the assistant failed: ${created.text}`);
    return {
      e2e,
      mock: e2e.mock,
      sessionsSchema: e2e.schemas.sessions,
      databaseUrl,
      temporal,
      userId,
      dataKey: dataKey.toString('base64'),
      assistantId: (created.body as { id: string }).id,
      assistantShareCode: (created.body as { code: string }).code,
      call: (method, path, body, headers) => request(sessionsUrl, method, path, body, headers),
      async close() {
        redis.disconnect();
        await connection.close();
        await e2e.close();
      },
    };
  } catch (error) {
    redis.disconnect();
    await connection.close();
    await e2e.close();
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
