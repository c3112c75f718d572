import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { SerializableSpan } from '@temporalio/interceptors-opentelemetry';
import type { WorkflowInfo } from '@temporalio/workflow';
import { readableWorkflowSpan, workflowSpanSinks } from './workflow-spans';

// A span as the sandbox's OpenTelemetry 1.x SDK serialises it.
const serialised: SerializableSpan = {
  name: 'RunWorkflow:chatTurn',
  kind: SpanKind.INTERNAL,
  spanContext: {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: 1,
    traceState: 'vendor=value',
  },
  parentSpanId: 'b7ad6b7169203331',
  startTime: [1_700_000_000, 0],
  endTime: [1_700_000_001, 500],
  status: { code: SpanStatusCode.OK },
  attributes: {},
  links: [],
  events: [],
  duration: [1, 500],
  ended: true,
  droppedAttributesCount: 0,
  droppedEventsCount: 0,
  droppedLinksCount: 0,
  instrumentationLibrary: { name: '@temporalio/interceptor-workflow' },
};

describe('workflow spans leaving the sandbox', () => {
  const resource = resourceFromAttributes({ 'service.name': 'llm-worker' });

  it('keep their parent and scope in the shape this SDK exports', () => {
    const span = readableWorkflowSpan(serialised, resource);
    expect(span.spanContext()).toMatchObject({
      traceId: serialised.spanContext.traceId,
      spanId: serialised.spanContext.spanId,
    });
    expect(span.spanContext().traceState?.get('vendor')).toBe('value');
    expect(span.parentSpanContext).toEqual({
      traceId: serialised.spanContext.traceId,
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
    });
    expect(span.instrumentationScope).toEqual({
      name: '@temporalio/interceptor-workflow',
      version: undefined,
    });
    expect(span.resource).toBe(resource);
  });

  it('go to the service span processor, named after their workflow, never on replay', () => {
    const ended: ReadableSpan[] = [];
    const processor: SpanProcessor = {
      onStart: () => undefined,
      onEnd: (span) => void ended.push(span),
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const sink = workflowSpanSinks(processor, resource).exporter.export;
    const info = { workflowId: 'turn:s1:k1', runId: 'run-1' } as WorkflowInfo;
    void sink.fn(info, [serialised, { ...serialised, parentSpanId: undefined }]);
    expect(sink.callDuringReplay).toBe(false);
    expect(ended.map((span) => span.attributes)).toEqual([
      { temporalWorkflowId: 'turn:s1:k1', run_id: 'run-1' },
      { temporalWorkflowId: 'turn:s1:k1', run_id: 'run-1' },
    ]);
    expect(ended[1]?.parentSpanContext).toBeUndefined();
  });
});
