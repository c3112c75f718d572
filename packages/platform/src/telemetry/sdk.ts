/**
 * The OpenTelemetry Node SDK as the platform runs it: one resource naming the service, one span
 * processor in front of the chosen exporter, the platform's instrumentations, W3C trace context
 * and baggage propagation (unless `OTEL_PROPAGATORS` says otherwise), no metrics or logs (the
 * services have Prometheus `/metrics` and pino). Loaded only when tracing is on: requiring this
 * module is what costs.
 *
 * The resource and span processor are kept so that spans made elsewhere, the workflow spans
 * created inside Temporal's sandbox, leave through the same pipe (see workflow-spans.ts).
 */
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  defaultResource,
  detectResources,
  hostDetector,
  osDetector,
  processDetector,
  resourceAttributesEnvDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
  type Resource,
} from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { platformInstrumentations } from './instrumentations';
import type { OtlpProtocol, TelemetrySettings } from './settings';

export interface TelemetryOptions {
  /** `service.name` of every span: `gateway`, `sessions`, `llm-worker`… */
  serviceName: string;
  serviceVersion?: string;
}

export interface RunningSdk {
  resource: Resource;
  spanProcessor: SpanProcessor;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

export function startSdk(
  settings: Extract<TelemetrySettings, { enabled: true }>,
  options: TelemetryOptions,
): RunningSdk {
  // The SDK is silent unless OTEL_LOG_LEVEL is set; failed exports and instrumentations that
  // loaded too late (register not imported first) should show in the service's output.
  if (!process.env.OTEL_LOG_LEVEL) {
    diag.setLogger(new DiagConsoleLogger(), {
      logLevel: DiagLogLevel.WARN,
      suppressOverrideMessage: true,
    });
  }
  const resource = serviceResource(options);
  const spanProcessor =
    settings.exporter === 'console'
      ? new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() })
      : new BatchSpanProcessor({ exporter: otlpExporter(settings.protocol), ...settings.batch });
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    spanProcessors: [spanProcessor],
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: platformInstrumentations(),
  });
  sdk.start();
  return {
    resource,
    spanProcessor,
    forceFlush: () => spanProcessor.forceFlush(),
    shutdown: () => sdk.shutdown(),
  };
}

/** Endpoint, headers, timeout and compression come from the standard `OTEL_EXPORTER_OTLP_*`. */
function otlpExporter(protocol: OtlpProtocol): SpanExporter {
  switch (protocol) {
    case 'http/json':
      return new OtlpJsonExporter();
    case 'grpc':
      return new OtlpGrpcExporter();
    case 'http/protobuf':
      return new OtlpProtobufExporter();
  }
}

/** Host, process and instance attributes, `OTEL_RESOURCE_ATTRIBUTES`, then the service's name. */
function serviceResource(options: TelemetryOptions): Resource {
  const detected = detectResources({
    detectors: [
      hostDetector,
      osDetector,
      processDetector,
      serviceInstanceIdDetector,
      resourceAttributesEnvDetector,
    ],
  });
  return defaultResource()
    .merge(detected)
    .merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: options.serviceName,
        ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
      }),
    );
}
