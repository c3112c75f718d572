/**
 * The llm-worker's Prometheus metrics (prom-client's default registry, with the process's default
 * metrics) and the tiny HTTP listener that serves them on `/metrics` — the worker has no other
 * HTTP server.
 *
 * - `llm_call_duration_seconds{model,endpoint,outcome}`: each `callModel` attempt, `outcome` = `ok`
 *   or the failure's kind (below);
 * - `llm_tokens_total{model,kind}`: tokens the provider reported, `kind` = `prompt` | `completion`;
 * - `llm_cost_usd_total{model}`: what those tokens cost at the model registry's prices, in USD (the
 *   live estimate for dashboards; the money of record is the gateway's usage rollup, which also
 *   counts recaps; a model without a price adds nothing);
 * - `llm_errors_total{model,kind}`: failed attempts, `kind` = `rate_limited` | `unavailable` |
 *   `rejected` | `key_rejected` | `key_unavailable` | `cancelled` | `other`;
 * - `guard_hits_total{stage}`: replies the prompt-leak guard stopped, `stage` = `reply` (the whole
 *   reply, the `guardReply` activity) | `stream` (while streaming, in `callModel`) | `semantic`
 *   (the whole reply, by the optional semantic stage) | `tool_call` (a call of the caller's
 *   functions carrying the prompt).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TURN_ERRORS } from '@lab/contracts';
import { costOf, findModel } from '@lab/conversation';
import { ApplicationFailure } from '@temporalio/common';
import { collectDefaultMetrics, Counter, Histogram, type Metric, register } from 'prom-client';

function once<T extends Metric>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const llmCallDuration = once(
  'llm_call_duration_seconds',
  () =>
    new Histogram({
      name: 'llm_call_duration_seconds',
      help: 'Duration of each LLM call (callModel attempt), by model, endpoint and outcome',
      labelNames: ['model', 'endpoint', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 45, 90],
    }),
);

export const llmTokens = once(
  'llm_tokens_total',
  () =>
    new Counter({
      name: 'llm_tokens_total',
      help: 'Tokens reported by the LLM provider, by model and kind (prompt, completion)',
      labelNames: ['model', 'kind'],
    }),
);

export const llmCost = once(
  'llm_cost_usd_total',
  () =>
    new Counter({
      name: 'llm_cost_usd_total',
      help: 'Cost in USD of the tokens the LLM provider reported, at the model registry prices, by model',
      labelNames: ['model'],
    }),
);

export const llmErrors = once(
  'llm_errors_total',
  () =>
    new Counter({
      name: 'llm_errors_total',
      help: 'Failed LLM calls by model and kind (rate_limited, unavailable, rejected, key_rejected, key_unavailable, cancelled, other)',
      labelNames: ['model', 'kind'],
    }),
);

export const guardHits = once(
  'guard_hits_total',
  () =>
    new Counter({
      name: 'guard_hits_total',
      help: 'Replies the prompt-leak guard stopped, by stage (reply, stream)',
      labelNames: ['stage'],
    }),
);

export type LlmErrorKind =
  | 'rate_limited'
  | 'unavailable'
  | 'rejected'
  | 'key_rejected'
  | 'key_unavailable'
  | 'cancelled'
  | 'other';

/** The metric label of a failed call: its Temporal failure's type, or `cancelled`. */
export function errorKind(failure: unknown, cancelled = false): LlmErrorKind {
  if (cancelled) return 'cancelled';
  const type = failure instanceof ApplicationFailure ? failure.type : undefined;
  switch (type) {
    case TURN_ERRORS.llmRateLimited:
      return 'rate_limited';
    case TURN_ERRORS.llmUnavailable:
      return 'unavailable';
    case TURN_ERRORS.llmRejected:
      return 'rejected';
    case TURN_ERRORS.providerKeyRejected:
      return 'key_rejected';
    case TURN_ERRORS.keyUnavailable:
      return 'key_unavailable';
    default:
      return 'other';
  }
}

export interface CallLabels {
  model: string;
  endpoint: string;
}

/** One finished call: its duration, and its tokens (a success) or its error kind. */
export function recordCall(
  labels: CallLabels,
  seconds: number,
  result:
    | { ok: true; promptTokens: number; completionTokens: number; streamGuardHit?: boolean }
    | { ok: false; kind: LlmErrorKind },
): void {
  llmCallDuration.observe({ ...labels, outcome: result.ok ? 'ok' : result.kind }, seconds);
  if (result.ok) {
    llmTokens.inc({ model: labels.model, kind: 'prompt' }, result.promptTokens);
    llmTokens.inc({ model: labels.model, kind: 'completion' }, result.completionTokens);
    const spec = findModel(labels.model);
    if (spec) llmCost.inc({ model: labels.model }, costOf(spec, result));
    if (result.streamGuardHit) guardHits.inc({ stage: 'stream' });
  } else {
    llmErrors.inc({ model: labels.model, kind: result.kind });
  }
}

export interface MetricsServer {
  /** The port it listens on. */
  port: number;
  close(): Promise<void>;
}

let defaultsCollected = false;

/** Serves the default registry on `GET /metrics` at host:port (port 0: any free one). */
export async function startMetricsServer(host: string, port: number): Promise<MetricsServer> {
  if (!defaultsCollected) {
    collectDefaultMetrics();
    defaultsCollected = true;
  }
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    register.metrics().then(
      (text) => {
        response.writeHead(200, { 'content-type': register.contentType }).end(text);
      },
      (error: Error) => {
        response.writeHead(500, { 'content-type': 'text/plain' }).end(error.message);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
