/**
 * `node services/llm-worker/dist/src/main.js`. On SIGTERM/SIGINT the worker stops polling, lets
 * in-flight activities finish within SHUTDOWN_GRACE_MS (then Temporal retries them elsewhere),
 * and closes its connections. Prometheus `/metrics` on METRICS_HOST:METRICS_PORT (see metrics/).
 */
// First: tracing must patch http, express, pg, ioredis and fetch before they load.
import '@lab/platform/telemetry/register';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { ConfigError, loadConfig } from './config';
import { type MetricsServer, startMetricsServer } from './metrics/metrics';
import { createLlmWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  Runtime.install({
    logger: new DefaultLogger((process.env.LOG_LEVEL ?? 'INFO').toUpperCase() as 'INFO'),
    ...(config.temporalMetricsAddress
      ? {
          telemetryOptions: {
            metrics: { prometheus: { bindAddress: config.temporalMetricsAddress } },
          },
        }
      : {}),
  });
  // A taken port does not stop the worker (turns matter more than their metrics; the failed
  // scrape shows): it runs without the listener and says so.
  let metrics: MetricsServer | null = null;
  if (config.metricsPort !== null) {
    metrics = await startMetricsServer(config.metricsHost, config.metricsPort).catch(
      (error: Error) => {
        process.stderr.write(
          `${JSON.stringify({ level: 'error', msg: `llm-worker: no /metrics: cannot listen on ${config.metricsHost}:${config.metricsPort} (METRICS_HOST, METRICS_PORT; 0 turns it off): ${error.message}` })}\n`,
        );
        return null;
      },
    );
  }
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  const { worker, connection } = await createLlmWorker(config, redis);
  process.stdout.write(
    `${JSON.stringify({ level: 'info', msg: 'llm-worker polling', taskQueue: config.taskQueue, pid: process.pid, metrics: metrics ? `http://${config.metricsHost}:${metrics.port}/metrics` : null })}\n`,
  );
  try {
    await worker.run(); // resolves after a shutdown signal, once in-flight work is done
  } finally {
    await connection.close();
    await redis.quit();
    await metrics?.close();
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
