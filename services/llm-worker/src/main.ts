/**
 * `node services/llm-worker/dist/src/main.js`. On SIGTERM/SIGINT the worker stops polling, lets
 * in-flight activities finish within SHUTDOWN_GRACE_MS (then Temporal retries them elsewhere),
 * and closes its connections.
 */
// First: tracing must patch http, express, pg, ioredis and fetch before they load.
import '@lab/platform/telemetry/register';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { ConfigError, loadConfig } from './config';
import { createLlmWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  Runtime.install({
    logger: new DefaultLogger((process.env.LOG_LEVEL ?? 'INFO').toUpperCase() as 'INFO'),
  });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  const { worker, connection } = await createLlmWorker(config, redis);
  process.stdout.write(
    `${JSON.stringify({ level: 'info', msg: 'llm-worker polling', taskQueue: config.taskQueue, pid: process.pid })}\n`,
  );
  try {
    await worker.run(); // resolves after a shutdown signal, once in-flight work is done
  } finally {
    await connection.close();
    await redis.quit();
  }
}

main().catch((error: unknown) => {
  const message =
    error instanceof ConfigError
      ? error.message
      : error instanceof Error
        ? error.stack
        : String(error);
  process.stderr.write(`llm-worker: ${message}\n`);
  process.exit(1);
});
