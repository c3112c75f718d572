/**
 * The mapping of dependency failures, against the errors the real clients throw when their
 * server is not there (a port nothing listens on): each names its dependency and becomes 503
 * `unavailable` with Retry-After in the error model; an ordinary bug stays a 500.
 */
import { createServer } from 'node:net';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ArgumentsHost } from '@nestjs/common';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import OpenAI from 'openai';
import { Client as PgClient } from 'pg';
import { dependencyFailure } from './dependency-failure';
import { HttpErrorFilter } from './error-filter';

/** A port that refuses connections. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function thrown(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/** What the filter answers for an error: status, headers set, body. */
function answered(error: unknown) {
  const headers: Record<string, string> = {};
  const answer: { status?: number; body?: unknown; headers: Record<string, string> } = { headers };
  const response = {
    headersSent: false,
    getHeader: (name: string) => headers[name],
    setHeader: (name: string, value: string) => {
      headers[name] = value;
    },
    status(code: number) {
      answer.status = code;
      return this;
    },
    json(body: unknown) {
      answer.body = body;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as ArgumentsHost;
  const filter = new HttpErrorFilter();
  // Quiet: the filter logs what it maps.
  (filter as unknown as { logger: { warn(): void; error(): void } }).logger = {
    warn: () => undefined,
    error: () => undefined,
  };
  filter.catch(error, host);
  return answer;
}

describe('dependency failures, as the real clients report them', () => {
  let port: number;
  beforeAll(async () => {
    port = await closedPort();
  });

  it('PostgreSQL refusing connections is an outage (the dependency unnamed: the error does not say)', async () => {
    const error = await thrown(() => new PgClient({ host: '127.0.0.1', port }).connect());
    expect(dependencyFailure(error)).toEqual({ dependency: null });
    expect(dependencyFailure(new Error('Connection terminated unexpectedly'))).toEqual({
      dependency: 'database',
    });
    expect(dependencyFailure(Object.assign(new Error('terminating'), { code: '57P01' }))).toEqual({
      dependency: 'database',
    });
  });

  it('Redis, once its retries per request are used up', async () => {
    const redis = new Redis(port, {
      host: '127.0.0.1',
      maxRetriesPerRequest: 1,
      retryStrategy: () => 20,
    });
    redis.on('error', () => undefined);
    const error = await thrown(() => redis.get('key'));
    redis.disconnect();
    expect(dependencyFailure(error)).toEqual({ dependency: 'redis' });
  });

  it('Temporal: the client, its lazy connection and the native connection', async () => {
    const address = `127.0.0.1:${port}`;
    expect(
      dependencyFailure(await thrown(() => Connection.connect({ address, connectTimeout: 500 }))),
    ).toEqual({ dependency: 'temporal' });
    // Without the client's retries of UNAVAILABLE (about 20 s of them by default).
    const client = new TemporalClient({
      connection: Connection.lazy({ address, connectTimeout: 500, interceptors: [] }),
    });
    const described = await thrown(() => client.workflow.getHandle('w').describe());
    expect(dependencyFailure(described)).toEqual({ dependency: 'temporal' });
    expect(dependencyFailure(await thrown(() => NativeConnection.connect({ address })))).toEqual({
      dependency: 'temporal',
    });
  });

  it('Kafka, object storage and the model provider', async () => {
    const kafka = new Kafka({
      brokers: [`127.0.0.1:${port}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    expect(dependencyFailure(await thrown(() => kafka.producer().connect()))).toEqual({
      dependency: 'kafka',
    });
    const s3 = new S3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
    });
    const stored = await thrown(() => s3.send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' })));
    expect(dependencyFailure(stored)).toEqual({ dependency: 'object-storage' });
    const openai = new OpenAI({
      baseURL: `http://127.0.0.1:${port}/v1`,
      apiKey: 'sk-test',
      maxRetries: 0,
    });
    expect(dependencyFailure(await thrown(() => openai.models.list()))).toEqual({
      dependency: 'llm',
    });
  });

  it('an ordinary error is not one', () => {
    expect(
      dependencyFailure(new TypeError("Cannot read properties of undefined (reading 'x')")),
    ).toBe(undefined);
    expect(dependencyFailure('a string')).toBe(undefined);
  });
});

describe('the error filter', () => {
  it('answers an outage 503 unavailable with Retry-After, naming the dependency', () => {
    const error = Object.assign(new Error('Connection is closed.'), {});
    const answer = answered(error);
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.body).toEqual({
      error: {
        code: 'unavailable',
        message: 'Redis is unavailable; try again shortly',
        details: [{ field: 'dependency', message: 'redis' }],
      },
    });
  });

  it('keeps a 500 for a bug, without Retry-After', () => {
    const answer = answered(new TypeError('undefined is not a function'));
    expect(answer.status).toBe(500);
    expect(answer.headers['retry-after']).toBeUndefined();
    expect(answer.body).toEqual({
      error: { code: 'internal', message: 'An unexpected error occurred' },
    });
  });
});
