/**
 * Tracing through Temporal, with `@temporalio/interceptors-opentelemetry`: the client puts the
 * caller's trace context in the workflow's headers (`StartWorkflow` span), the workflow
 * interceptors continue it inside the sandbox (`RunWorkflow`, `StartActivity` spans) and into
 * the activity's headers, and the activity interceptor continues it on whichever worker runs the
 * activity (`RunActivity` span, the parent of whatever the activity calls: the LLM's fetch).
 *
 * With tracing off (startTelemetry not called, or nothing configured) both helpers return empty
 * options: no interceptors, no sink, no change to the workflow bundle.
 */
import type { ClientInterceptors } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import { runningSdk } from './running';

/** `new Client({ connection, namespace, interceptors: temporalClientInterceptors() })`. */
export function temporalClientInterceptors(): ClientInterceptors {
  if (!runningSdk()) return {};
  const otel = loadInterceptors();
  return { workflow: [new otel.OpenTelemetryWorkflowClientInterceptor()] };
}

export type TemporalWorkerTelemetry = Pick<WorkerOptions, 'interceptors' | 'sinks'>;

/**
 * `Worker.create({ ...options, ...temporalWorkerTelemetry() })`: activity interceptors, the
 * workflow interceptor module bundled into the sandbox, the sink that exports workflow spans,
 * and client interceptors for activities that use the worker's client. A worker that already has
 * interceptors or sinks of its own must merge them with these (the spread would replace them).
 */
export function temporalWorkerTelemetry(): TemporalWorkerTelemetry {
  const sdk = runningSdk();
  if (!sdk) return {};
  const otel = loadInterceptors();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only with tracing on
  const { workflowSpanSinks } = require('./workflow-spans') as typeof import('./workflow-spans');
  return {
    interceptors: {
      client: { workflow: [new otel.OpenTelemetryWorkflowClientInterceptor()] },
      activity: [
        (ctx) => ({
          inbound: new otel.OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new otel.OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
      workflowModules: [workflowInterceptorsModule()],
    },
    sinks: workflowSpanSinks(sdk.spanProcessor, sdk.resource),
  };
}

/** The package's module of workflow interceptors (it exports `interceptors`, as Temporal asks). */
function workflowInterceptorsModule(): string {
  return require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');
}

function loadInterceptors(): typeof import('@temporalio/interceptors-opentelemetry') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only with tracing on
  return require('@temporalio/interceptors-opentelemetry') as typeof import('@temporalio/interceptors-opentelemetry');
}
