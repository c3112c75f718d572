/**
 * The live side of the ops API: the platform's metrics over time, read from Prometheus' HTTP API
 * (`query_range`) at PROMETHEUS_URL — turns per second, turn latency percentiles, workflow
 * failures, guard hits, LLM errors, outbox and consumer lag. The queries are written on the raw
 * metrics (not the recording rules), so any Prometheus that scrapes the services serves them.
 * Money is not here: the usage rollup (`/v1/ops/usage`) is its record.
 */
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ApiException } from '@lab/platform/http';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

export type OpsUnit = 'perSecond' | 'seconds' | 'count' | 'events';

export interface OpsPanelDefinition {
  id: string;
  title: string;
  unit: OpsUnit;
  /** A series' name: `name` when given, else its label values joined (`turn`, `turn LlmUnavailable`). */
  queries: { expr: string; name?: string }[];
}

const quantile = (q: number) =>
  `histogram_quantile(${q}, sum by (le) (rate(turn_duration_seconds_bucket{workflow="turn"}[1m])))`;

export const OPS_PANELS: readonly OpsPanelDefinition[] = [
  {
    id: 'turns',
    title: 'Turns per second',
    unit: 'perSecond',
    queries: [{ expr: 'sum by (workflow) (rate(turns_total[1m]))' }],
  },
  {
    id: 'latency',
    title: 'Chat turn latency',
    unit: 'seconds',
    queries: [
      { expr: quantile(0.5), name: 'p50' },
      { expr: quantile(0.95), name: 'p95' },
      { expr: quantile(0.99), name: 'p99' },
    ],
  },
  {
    id: 'failures',
    title: 'Workflow failures (5 min)',
    unit: 'count',
    queries: [{ expr: 'sum by (workflow, type) (increase(workflow_failures_total[5m]))' }],
  },
  {
    id: 'guardHits',
    title: 'Guard hits (5 min)',
    unit: 'count',
    queries: [{ expr: 'sum by (stage) (increase(guard_hits_total[5m]))' }],
  },
  {
    id: 'llmErrors',
    title: 'LLM errors (5 min)',
    unit: 'count',
    queries: [{ expr: 'sum by (kind) (increase(llm_errors_total[5m]))' }],
  },
  {
    id: 'outboxLag',
    title: 'Outbox lag',
    unit: 'seconds',
    queries: [{ expr: 'max by (service) (outbox_lag_seconds)' }],
  },
  {
    id: 'consumerLag',
    title: 'Consumer lag',
    unit: 'events',
    queries: [{ expr: 'sum by (consumer) (kafka_consumer_lag)' }],
  },
];

export interface OpsSeries {
  name: string;
  /** `[unix seconds, value]`; null where Prometheus has no number (NaN: no traffic). */
  points: [number, number | null][];
}

export interface OpsPanel {
  id: string;
  title: string;
  unit: OpsUnit;
  series: OpsSeries[];
}

export interface OpsMetrics {
  /** False when PROMETHEUS_URL is not set: no panels. */
  configured: boolean;
  from: string;
  to: string;
  stepSeconds: number;
  panels: OpsPanel[];
}

/** A `query_range` matrix as Prometheus answers it. */
export interface PromMatrix {
  metric: Record<string, string>;
  values: [number, string][];
}

/** A series' name: the query's own, else its labels' values in label order (`__name__` left out). */
export function seriesName(metric: Record<string, string>, fixed?: string): string {
  if (fixed) return fixed;
  const values = Object.keys(metric)
    .filter((label) => label !== '__name__')
    .sort()
    .map((label) => metric[label]);
  return values.join(' ') || 'all';
}

export function toSeries(matrix: PromMatrix[], fixed?: string): OpsSeries[] {
  return matrix.map((series) => ({
    name: seriesName(series.metric, fixed),
    points: series.values.map(([time, value]) => {
      const number = Number(value);
      return [time, Number.isFinite(number) ? number : null];
    }),
  }));
}

/** About 120 points across the range, on whole seconds, at least Prometheus' scrape-friendly 5 s. */
export function stepFor(minutes: number): number {
  return Math.max(5, Math.round((minutes * 60) / 120));
}

@Injectable()
export class OpsMetricsService {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  async read(minutes: number, now = new Date()): Promise<OpsMetrics> {
    const step = stepFor(minutes);
    // Evaluated back from now, not from the last step boundary: a boundary up to a step ago
    // left the newest traffic (a counter born in the last half minute) off the chart.
    const end = Math.floor(now.getTime() / 1000);
    const start = end - minutes * 60;
    const frame = {
      from: new Date(start * 1000).toISOString(),
      to: new Date(end * 1000).toISOString(),
      stepSeconds: step,
    };
    const base = this.config.prometheusUrl;
    if (!base) return { configured: false, ...frame, panels: [] };
    const panels = await Promise.all(
      OPS_PANELS.map(async (panel) => ({
        id: panel.id,
        title: panel.title,
        unit: panel.unit,
        series: (
          await Promise.all(
            panel.queries.map(async (query) =>
              toSeries(await this.range(base, query.expr, start, end, step), query.name),
            ),
          )
        ).flat(),
      })),
    );
    return { configured: true, ...frame, panels };
  }

  private async range(
    base: string,
    query: string,
    start: number,
    end: number,
    step: number,
  ): Promise<PromMatrix[]> {
    const params = new URLSearchParams({
      query,
      start: String(start),
      end: String(end),
      step: String(step),
    });
    let body: { status?: string; error?: string; data?: { result?: PromMatrix[] } };
    try {
      const answer = await fetch(
        `${base.replace(/\/$/, '')}/api/v1/query_range?${params.toString()}`,
        {
          signal: AbortSignal.timeout(10_000),
        },
      );
      body = (await answer.json()) as typeof body;
    } catch {
      throw new ApiException(
        HttpStatus.SERVICE_UNAVAILABLE,
        'metrics_unavailable',
        'Prometheus (PROMETHEUS_URL) did not answer; try again shortly',
      );
    }
    if (body.status !== 'success') {
      throw new ApiException(
        HttpStatus.BAD_GATEWAY,
        'metrics_unavailable',
        `Prometheus refused a query: ${body.error ?? 'no reason given'}`,
      );
    }
    return body.data?.result ?? [];
  }
}
