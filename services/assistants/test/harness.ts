/**
 * Starts the real assistants service for a suite: its own Postgres schema (migrated at start),
 * a random port, logs captured in memory so a test can read what the service logged.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { generateKeyRingString } from '@lab/platform';
import { createIsolatedSchema, requireVariable, testNamespace } from '@lab/platform/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { createApp } from '../src/app';
import { type AssistantsConfig, loadConfig } from '../src/config/assistants.config';

export const GATEWAY_TOKEN = `gateway-${randomUUID()}`;
export const SESSIONS_TOKEN = `sessions-${randomUUID()}`;

export interface CallOptions {
  user?: string | null;
  token?: string | null;
  body?: unknown;
  rawBody?: string;
}

export interface Answer<T = any> {
  status: number;
  body: T;
  text: string;
}

export interface Harness {
  config: AssistantsConfig;
  app: NestExpressApplication;
  url: string;
  db: Pool;
  logs(): string;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<Answer<T>>;
  close(): Promise<void>;
}

export async function startAssistants(
  suite: string,
  env: Record<string, string> = {},
): Promise<Harness> {
  const ns = testNamespace(suite);
  const config = loadConfig({
    PROMPT_KEYS: generateKeyRingString('prompts1'),
    DATABASE_URL: requireVariable('DATABASE_URL'),
    DATABASE_SCHEMA: ns.schema,
    INTERNAL_TOKENS: `gateway=${GATEWAY_TOKEN},sessions=${SESSIONS_TOKEN}`,
    LOG_LEVEL: 'debug',
    BODY_LIMIT: '64kb',
    ...env,
  });
  const captured: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      captured.push(chunk.toString());
      done();
    },
  });
  const app = await createApp(config, logStream);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  const db = new Pool({
    connectionString: config.databaseUrl,
    max: 2,
    options: `-c search_path=${ns.schema}`,
  });
  const dropSchema = await createIsolatedSchema(db, ns.schema);

  return {
    config,
    app,
    url,
    db,
    logs: () => captured.join(''),
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const token = options.token === undefined ? GATEWAY_TOKEN : options.token;
      if (token) headers['x-internal-token'] = token;
      if (options.user) headers['x-user-id'] = options.user;
      const response = await fetch(`${url}${path}`, {
        method,
        headers,
        body:
          options.rawBody ??
          (options.body === undefined ? undefined : JSON.stringify(options.body)),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body, text } as Answer;
    },
    async close() {
      await app.close();
      await dropSchema();
      await db.end();
    },
  };
}

export const newUser = (): string => randomUUID();

export function draft(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Pitch Partner',
    tagLine: 'Sharpen a startup pitch',
    description: 'Asks the questions investors ask.',
    sessionType: 'brainstorm',
    initialPrompt: 'You are a demanding investor. Ask one hard question at a time.',
    summaryPrompt: 'Summarise the weaknesses of the pitch.',
    modelConfig: {
      model: 'gpt-4o-mini',
      maxTokens: 300,
      temperature: 0.7,
      topP: 1,
      frequencyPenalty: 0,
      presencePenalty: 0,
    },
    ...overrides,
  };
}
