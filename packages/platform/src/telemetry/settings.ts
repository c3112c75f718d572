/**
 * Whether and how a process traces, decided from the standard OpenTelemetry variables alone, so
 * the decision costs nothing and can be tested without starting anything.
 *
 * Tracing is on when an OTLP endpoint is given (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or `OTEL_TRACES_EXPORTER=console`; off when neither is,
 * when `OTEL_SDK_DISABLED=true` or when `OTEL_TRACES_EXPORTER=none`. Nothing else is read here:
 * the exporters read their own endpoint, headers and timeout variables.
 */

export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

export type TelemetrySettings =
  | { enabled: false; reason: string }
  | { enabled: true; exporter: 'otlp'; protocol: OtlpProtocol; batch: BatchSettings }
  | { enabled: true; exporter: 'console' };

/** `OTEL_BSP_*`: how finished spans are batched before export (undefined: the SDK's default). */
export interface BatchSettings {
  scheduledDelayMillis?: number;
  exportTimeoutMillis?: number;
  maxQueueSize?: number;
  maxExportBatchSize?: number;
}

type Env = Readonly<Record<string, string | undefined>>;

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];

export function telemetrySettings(env: Env = process.env): TelemetrySettings {
  if (isTrue(env.OTEL_SDK_DISABLED)) return { enabled: false, reason: 'OTEL_SDK_DISABLED=true' };

  const exporters = list(env.OTEL_TRACES_EXPORTER);
  if (exporters.includes('none')) return { enabled: false, reason: 'OTEL_TRACES_EXPORTER=none' };
  if (exporters.includes('console')) return { enabled: true, exporter: 'console' };
  const unsupported = exporters.filter((name) => name !== 'otlp');
  if (unsupported.length > 0) {
    throw new TelemetryConfigError(
      `OTEL_TRACES_EXPORTER=${env.OTEL_TRACES_EXPORTER}: only otlp, console and none are supported`,
    );
  }

  const endpoint =
    value(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ?? value(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (!endpoint) {
    return {
      enabled: false,
      reason: 'no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    };
  }

  const protocol =
    value(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ??
    value(env.OTEL_EXPORTER_OTLP_PROTOCOL) ??
    'http/protobuf';
  if (!isProtocol(protocol)) {
    throw new TelemetryConfigError(
      `OTLP protocol "${protocol}" is not one of ${PROTOCOLS.join(', ')} (OTEL_EXPORTER_OTLP_PROTOCOL)`,
    );
  }
  return {
    enabled: true,
    exporter: 'otlp',
    protocol,
    batch: {
      scheduledDelayMillis: count(env, 'OTEL_BSP_SCHEDULE_DELAY'),
      exportTimeoutMillis: count(env, 'OTEL_BSP_EXPORT_TIMEOUT'),
      maxQueueSize: count(env, 'OTEL_BSP_MAX_QUEUE_SIZE'),
      maxExportBatchSize: count(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
    },
  };
}

/** A telemetry variable that cannot be honoured: the service should not start half-configured. */
export class TelemetryConfigError extends Error {
  override readonly name = 'ConfigError';
}

function value(raw: string | undefined): string | undefined {
  const trimmed = raw?.trim();
  return trimmed ? trimmed : undefined;
}

function isTrue(raw: string | undefined): boolean {
  return value(raw)?.toLowerCase() === 'true';
}

function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item.length > 0);
}

function isProtocol(protocol: string): protocol is OtlpProtocol {
  return (PROTOCOLS as readonly string[]).includes(protocol);
}

function count(env: Env, name: string): number | undefined {
  const raw = value(env[name]);
  if (raw === undefined) return undefined;
  const parsed = Number(raw);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new TelemetryConfigError(`${name}=${raw} is not a non-negative integer`);
  }
  return parsed;
}
