/**
 * Tracing for the platform's processes (OpenTelemetry): `startTelemetry` (or the side-effect
 * entry `@lab/platform/telemetry/register`, a service's first import) and the Temporal helpers
 * that carry one trace from an HTTP request through workflows and activities to the LLM call.
 * Configured by the standard `OTEL_*` variables; off, and nearly free, when none is set.
 */
import { runningSdk, setRunningSdk } from './running';
import type { TelemetryOptions } from './sdk';
import { telemetrySettings } from './settings';

export type { TelemetryOptions } from './sdk';
export {
  TelemetryConfigError,
  telemetrySettings,
  type BatchSettings,
  type OtlpProtocol,
  type TelemetrySettings,
} from './settings';
export {
  temporalClientInterceptors,
  temporalWorkerTelemetry,
  type TemporalWorkerTelemetry,
} from './temporal';

export interface Telemetry {
  /** True when this process records and exports spans. */
  readonly enabled: boolean;
  /** Why tracing is off, when it is. */
  readonly disabledReason?: string;
  /** Exports the spans finished so far. */
  forceFlush(): Promise<void>;
  /** Exports what is left and stops the SDK; later calls return the same promise. */
  shutdown(): Promise<void>;
}

let started: Telemetry | undefined;

/**
 * Starts tracing for this process, once: later calls return the first call's handle. Must run
 * before the traced libraries (http, express, Nest, pg, ioredis) are first required, since the
 * instrumentations patch modules as they load; `@lab/platform/telemetry/register` does that.
 * Throws a `TelemetryConfigError` (named `ConfigError`) for variables it cannot honour.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (started) return started;
  const settings = telemetrySettings(process.env);
  if (!settings.enabled) {
    return {
      enabled: false,
      disabledReason: settings.reason,
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
  }
  // Required here, not imported: the SDK, its exporters and instrumentations are only loaded
  // by a process that traces.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startSdk } = require('./sdk') as typeof import('./sdk');
  const sdk = startSdk(settings, options);
  setRunningSdk(sdk);
  let stopping: Promise<void> | undefined;
  started = {
    enabled: true,
    forceFlush: () => sdk.forceFlush(),
    shutdown: () => {
      stopping ??= (async () => {
        if (runningSdk() === sdk) setRunningSdk(undefined);
        await sdk.shutdown();
      })();
      return stopping;
    },
  };
  return started;
}
