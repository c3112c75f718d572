/**
 * `import '@lab/platform/telemetry/register';` as the FIRST line of a service's main.ts: starts
 * tracing for the service named by `OTEL_SERVICE_NAME` before anything it traces is loaded, and
 * exports the last spans when the process ends.
 *
 * Ending: the service keeps its own graceful shutdown. On SIGTERM/SIGINT, while another listener
 * handles the signal (Nest's shutdown hooks, Temporal's Runtime, the service's own), this one
 * leaves the process to it: the service drains and then either exits by itself (the spans are
 * flushed on `beforeExit`) or raises the signal again once its listener is gone, as Nest does
 * (this listener, alone by then, flushes and lets the signal end the process). A process with no
 * listener of its own is ended by the signal as before, once flushed. A flush waits at most
 * FLUSH_TIMEOUT_MS. An explicit `process.exit()` skips the flush: call `telemetry.shutdown()`
 * first where that matters.
 */
import { startTelemetry, TelemetryConfigError, type Telemetry } from './index';

const FLUSH_TIMEOUT_MS = 5_000;
const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

function register(): Telemetry | undefined {
  const serviceName = process.env.OTEL_SERVICE_NAME?.trim();
  if (!serviceName) {
    if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
      process.stderr.write('telemetry: OTEL_SERVICE_NAME is not set; tracing stays off\n');
    }
    return undefined;
  }
  let telemetry: Telemetry;
  try {
    telemetry = startTelemetry({ serviceName });
  } catch (error) {
    if (!(error instanceof TelemetryConfigError)) throw error;
    process.stderr.write(`${serviceName}: failed to start: ${error.message}\n`);
    process.exit(1);
  }
  if (telemetry.enabled) flushOnExit(telemetry);
  return telemetry;
}

function flushOnExit(telemetry: Telemetry): void {
  let flushing: Promise<'flushed' | 'timed out'> | undefined;
  const flush = () => {
    flushing ??= new Promise((resolve) => {
      const timer = setTimeout(() => resolve('timed out'), FLUSH_TIMEOUT_MS);
      timer.unref();
      telemetry
        .shutdown()
        .catch((error: unknown) => {
          process.stderr.write(`telemetry: flush failed: ${String(error)}\n`);
        })
        .finally(() => {
          clearTimeout(timer);
          resolve('flushed');
        });
    });
    return flushing;
  };

  for (const signal of SIGNALS) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return; // the service's own shutdown is under way
      void flush().then(() => {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      });
    };
    process.on(signal, onSignal);
  }
  process.once('beforeExit', () => {
    void flush().then((outcome) => {
      // An exporter still retrying an unreachable collector would hold the process open.
      if (outcome === 'timed out') process.exit();
    });
  });
}

/** The handle of the telemetry this entry started (undefined when OTEL_SERVICE_NAME is unset). */
export const telemetry = register();
