import { trace } from '@opentelemetry/api';
import { startTelemetry, temporalClientInterceptors, temporalWorkerTelemetry } from './index';

let mockSdkLoads = 0;
jest.mock('./sdk', () => {
  mockSdkLoads += 1;
  throw new Error('the SDK module was loaded');
});

const OTEL_VARIABLES = Object.keys(process.env).filter((name) => name.startsWith('OTEL_'));

describe('startTelemetry with nothing configured', () => {
  const saved = Object.fromEntries(OTEL_VARIABLES.map((name) => [name, process.env[name]]));

  beforeAll(() => {
    for (const name of OTEL_VARIABLES) delete process.env[name];
    process.env.OTEL_SERVICE_NAME = 'sessions'; // a name alone does not turn tracing on
  });

  afterAll(() => {
    delete process.env.OTEL_SERVICE_NAME;
    Object.assign(process.env, saved);
  });

  it('starts nothing and says why', async () => {
    const telemetry = startTelemetry({ serviceName: 'sessions' });
    expect(telemetry).toMatchObject({
      enabled: false,
      disabledReason: 'no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    });
    // The global API still hands out the no-op tracer: spans record nothing.
    const span = trace.getTracer('test').startSpan('request');
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toBe('00000000000000000000000000000000');
    span.end();
    await expect(telemetry.forceFlush()).resolves.toBeUndefined();
    await expect(telemetry.shutdown()).resolves.toBeUndefined();
  });

  it('leaves Temporal clients and workers exactly as they were', () => {
    startTelemetry({ serviceName: 'sessions' });
    expect(temporalClientInterceptors()).toEqual({});
    expect(temporalWorkerTelemetry()).toEqual({});
  });

  it('does not load the SDK', () => {
    // The factory runs only if something requires the module (see the jest.mock above).
    expect(() => startTelemetry({ serviceName: 'sessions' })).not.toThrow();
    expect(mockSdkLoads).toBe(0);
  });
});
