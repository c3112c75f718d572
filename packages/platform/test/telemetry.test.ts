/**
 * One trace from an HTTP request through Temporal to the LLM call, exported over OTLP.
 *
 * Instrumentation patches modules as Node's own loader requires them, which jest's loader
 * bypasses, so the traced services run as child processes (compiled fixtures under
 * test/fixtures/telemetry, started with `@lab/platform/telemetry/register` as their first
 * import) and export to an OTLP/HTTP receiver this test runs. The export is left to the
 * shutdown flush: the batch delay is the default 5 s and the services end sooner, so spans that
 * were not flushed on the way out would be missing.
 */
import { join } from 'node:path';
import { startMockLlm, type MockLlm } from '@lab/mock-llm';
import { requireVariable, testNamespace } from '@lab/platform/testing';
import { startChildService } from './fixtures/telemetry/child-service';
import {
  SPAN_KIND,
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from '@lab/platform/testing';

const FIXTURES = join(__dirname, '..', 'dist', 'test', 'fixtures', 'telemetry');

describe('telemetry across services (child processes, real Temporal, OTLP over HTTP)', () => {
  let receiver: OtlpReceiver;
  let llm: MockLlm;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    llm = await startMockLlm();
  });

  afterAll(async () => {
    await llm?.close();
    await receiver?.close();
  });

  function telemetryEnv(serviceName: string): Record<string, string> {
    return {
      OTEL_SERVICE_NAME: serviceName,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      LLM_BASE_URL: llm.baseURL,
    };
  }

  it('connects the HTTP request, the workflow, its activity and the LLM call in one trace', async () => {
    const ns = testNamespace('telemetry');
    const service = await startChildService(join(FIXTURES, 'temporal-service.js'), {
      ...telemetryEnv('traced-turns'),
      TEMPORAL_ADDRESS: requireVariable('TEMPORAL_ADDRESS'),
      TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
      TASK_QUEUE: ns.taskQueue,
    });
    const prompt = `trace me ${ns.id}`;
    try {
      const response = await fetch(`http://127.0.0.1:${service.port}/turns`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt }),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { reply: string }).reply.length).toBeGreaterThan(0);
    } finally {
      // Temporal's Runtime stops the worker; the service closes and exits by itself.
      const ended = await service.stop();
      expect({ ...ended, stderr: service.stderr() }).toEqual({ code: 0, signal: null, stderr: '' });
    }

    const spans = receiver.spans().filter((span) => span.service === 'traced-turns');
    const server = only(spans, (s) => s.kind === SPAN_KIND.server && s.name === 'POST /turns');
    const trace = spans.filter((span) => span.traceId === server.traceId);
    const startWorkflow = only(trace, (s) => s.name === 'StartWorkflow:tracedTurn');
    const runWorkflow = only(trace, (s) => s.name === 'RunWorkflow:tracedTurn');
    const startActivity = only(trace, (s) => s.name === 'StartActivity:askModel');
    const runActivity = only(trace, (s) => s.name === 'RunActivity:askModel');
    const llmCall = only(
      trace,
      (s) => s.kind === SPAN_KIND.client && String(s.attributes['url.full']).startsWith(llm.url),
    );

    expect(server.parentSpanId).toBeUndefined(); // the request came in untraced: it is the root
    expect(ancestors(startWorkflow, trace)).toContain(server);
    expect(runWorkflow.parentSpanId).toBe(startWorkflow.spanId);
    expect(startActivity.parentSpanId).toBe(runWorkflow.spanId);
    expect(runActivity.parentSpanId).toBe(startActivity.spanId);
    expect(llmCall.parentSpanId).toBe(runActivity.spanId);
    expect(llmCall.scope).toBe('@opentelemetry/instrumentation-undici');
    expect(runWorkflow.attributes.temporalWorkflowId).toEqual(
      startWorkflow.attributes.temporalWorkflowId,
    );

    // The LLM saw the trace: W3C trace context naming the fetch span as its parent.
    const [request] = llm.requests({ match: prompt });
    expect(request?.headers.traceparent).toBe(`00-${server.traceId}-${llmCall.spanId}-01`);
    expect(receiver.rejected()).toEqual([]);
  });

  it('lets a Nest service drain on SIGTERM, then flushes before the signal ends it', async () => {
    const service = await startChildService(
      join(FIXTURES, 'nest-service.js'),
      telemetryEnv('traced-nest'),
    );
    const response = await fetch(`http://127.0.0.1:${service.port}/models`);
    expect(response.status).toBe(200);

    const ended = await service.stop();
    expect(ended).toEqual({ code: null, signal: 'SIGTERM' }); // Nest raised it again, as it does
    expect(service.lines).toContainEqual({ drained: true });

    const spans = receiver.spans().filter((span) => span.service === 'traced-nest');
    const server = only(spans, (s) => s.kind === SPAN_KIND.server && s.name === 'GET /models');
    const trace = spans.filter((span) => span.traceId === server.traceId);
    const handler = only(
      trace,
      (s) =>
        s.scope === '@opentelemetry/instrumentation-nestjs-core' &&
        s.name === 'ModelsController.models',
    );
    const llmCall = only(trace, (s) => s.kind === SPAN_KIND.client);
    expect(ancestors(llmCall, trace)).toEqual(expect.arrayContaining([handler, server]));

    const [request] = llm.requests().filter((r) => r.path === '/v1/models');
    expect(request?.headers.traceparent).toBe(`00-${server.traceId}-${llmCall.spanId}-01`);
  });
});

function only(spans: ReceivedSpan[], predicate: (span: ReceivedSpan) => boolean): ReceivedSpan {
  const found = spans.filter(predicate);
  if (found.length !== 1) {
    const names = spans.map((s) => `${s.name} (kind ${s.kind}, ${s.scope})`).join('\n  ');
    throw new Error(`expected one matching span, found ${found.length} among:\n  ${names}`);
  }
  return found[0]!;
}

function ancestors(span: ReceivedSpan, trace: ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const chain: ReceivedSpan[] = [];
  for (let parent = byId.get(span.parentSpanId ?? ''); parent;) {
    chain.push(parent);
    parent = byId.get(parent.parentSpanId ?? '');
  }
  return chain;
}
