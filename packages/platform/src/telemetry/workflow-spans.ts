/**
 * Workflow spans out of Temporal's sandbox. The workflow interceptors of
 * `@temporalio/interceptors-opentelemetry` record spans inside the isolate with their own copy of
 * the OpenTelemetry 1.x SDK and hand them, serialised, to a sink on the worker. The package's
 * `makeWorkflowExporter` passes them on in the 1.x shape (`parentSpanId`,
 * `instrumentationLibrary`), which this SDK's exporters do not read: the parent link would be lost
 * and the OTLP transformer fails on the missing `instrumentationScope`. This sink rebuilds them as
 * this SDK's readable spans and gives them to the service's own span processor.
 */
import { createTraceState, type SpanContext } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { OpenTelemetrySinks, SerializableSpan } from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks } from '@temporalio/worker';

/** Attribute names the interceptors use on client and activity spans. */
const WORKFLOW_ID_ATTRIBUTE = 'temporalWorkflowId';
const RUN_ID_ATTRIBUTE = 'run_id';
const WORKFLOW_SCOPE = { name: '@temporalio/interceptor-workflow' };

export function workflowSpanSinks(
  spanProcessor: SpanProcessor,
  resource: Resource,
): InjectedSinks<OpenTelemetrySinks> {
  return {
    exporter: {
      export: {
        // Spans of a replayed history were exported when it first ran.
        callDuringReplay: false,
        fn: (info, spans) => {
          for (const span of spans) {
            spanProcessor.onEnd(
              readableWorkflowSpan(span, resource, {
                [WORKFLOW_ID_ATTRIBUTE]: info.workflowId,
                [RUN_ID_ATTRIBUTE]: info.runId,
              }),
            );
          }
        },
      },
    },
  };
}

export function readableWorkflowSpan(
  span: SerializableSpan,
  resource: Resource,
  extraAttributes: Record<string, string> = {},
): ReadableSpan {
  const { traceState, ...context } = span.spanContext;
  const spanContext: SpanContext = {
    ...context,
    traceState: traceState ? createTraceState(traceState) : undefined,
  };
  const parentSpanContext: SpanContext | undefined = span.parentSpanId
    ? { traceId: context.traceId, spanId: span.parentSpanId, traceFlags: context.traceFlags }
    : undefined;
  const scope = span.instrumentationLibrary;
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => spanContext,
    parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: { ...span.attributes, ...extraAttributes },
    links: span.links,
    events: span.events,
    duration: span.duration,
    ended: span.ended,
    resource,
    instrumentationScope: scope?.name
      ? { name: scope.name, version: scope.version }
      : WORKFLOW_SCOPE,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}
