import { TelemetryConfigError, telemetrySettings } from './settings';

describe('telemetrySettings', () => {
  it('is off when no endpoint or console exporter is configured', () => {
    expect(telemetrySettings({})).toEqual({
      enabled: false,
      reason: 'no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    });
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }).enabled).toBe(false);
    expect(telemetrySettings({ OTEL_SERVICE_NAME: 'sessions' }).enabled).toBe(false);
  });

  it('exports over OTLP http/protobuf by default once an endpoint is given', () => {
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({
      enabled: true,
      exporter: 'otlp',
      protocol: 'http/protobuf',
      batch: {},
    });
    expect(
      telemetrySettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })
        .enabled,
    ).toBe(true);
  });

  it('takes the protocol for traces before the general one, and the batch variables', () => {
    expect(
      telemetrySettings({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_BSP_MAX_QUEUE_SIZE: '4096',
      }),
    ).toEqual({
      enabled: true,
      exporter: 'otlp',
      protocol: 'grpc',
      batch: { scheduledDelayMillis: 200, maxQueueSize: 4096 },
    });
  });

  it('prints to the console with OTEL_TRACES_EXPORTER=console, endpoint or not', () => {
    expect(telemetrySettings({ OTEL_TRACES_EXPORTER: 'console' })).toEqual({
      enabled: true,
      exporter: 'console',
    });
  });

  it('is off when disabled, whatever else is set', () => {
    const configured = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(telemetrySettings({ ...configured, OTEL_SDK_DISABLED: 'TRUE' }).enabled).toBe(false);
    expect(telemetrySettings({ ...configured, OTEL_TRACES_EXPORTER: 'none' }).enabled).toBe(false);
    expect(telemetrySettings({ ...configured, OTEL_SDK_DISABLED: 'false' }).enabled).toBe(true);
  });

  it('refuses what it cannot honour instead of tracing half-configured', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(() => telemetrySettings({ ...endpoint, OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(
      TelemetryConfigError,
    );
    expect(() => telemetrySettings({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http' })).toThrow(
      /not one of http\/protobuf, http\/json, grpc/,
    );
    expect(() => telemetrySettings({ ...endpoint, OTEL_BSP_SCHEDULE_DELAY: 'soon' })).toThrow(
      /OTEL_BSP_SCHEDULE_DELAY=soon/,
    );
  });
});
