/**
 * The Grafana dashboard against the code: every metric it queries is one the services define
 * (the `name` of a prom-client metric under services/<service>/src or packages/platform/src),
 * one of prom-client's default process metrics, or Prometheus's own `up`; and every metric the
 * services define has a panel. So neither can drift from the other unnoticed again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCompose } from './support/compose';
import {
  baseName,
  DASHBOARD_PATH,
  defaultMetricNames,
  loadDashboard,
  metricsIn,
  queries,
} from './support/dashboard';
import { definedMetricNames, ROOT } from './support/platform';

const dashboard = loadDashboard();
const defined = definedMetricNames();

describe('metric names in PromQL', () => {
  it('are the selected series, not functions, keywords, labels or ranges', () => {
    expect(
      metricsIn(
        'histogram_quantile(0.95, sum by (app, le) (rate(http_request_duration_seconds_bucket{app=~"$app",route!="unmatched"}[$__rate_interval])))',
      ),
    ).toEqual(['http_request_duration_seconds_bucket']);
    expect(
      metricsIn(
        'sum by (app) (rate(a_total{status=~"5.."}[5m])) / on (app) group_left sum without (x) (b_total) and up',
      ),
    ).toEqual(['a_total', 'b_total', 'up']);
    expect(metricsIn('label_values(process_cpu_seconds_total, app)')).toEqual([
      'process_cpu_seconds_total',
      'app',
    ]);
  });
});

describe('the dashboard', () => {
  it('is one file, mounted by docker-compose’s Grafana and shipped by the chart', () => {
    const grafana = loadCompose().services.grafana!;
    const source = join(
      ROOT,
      grafana.volumes!.find((v) => v.includes('dashboards/'))!.split(':')[0]!,
    );
    expect(source).toBe(DASHBOARD_PATH);
    const template = readFileSync(
      join(ROOT, 'deploy/helm/assistant-platform/templates/dashboard.yaml'),
      'utf8',
    );
    expect(template).toContain('.Files.Get "dashboards/assistant-platform.json"');
    expect(dashboard.uid).toBe('assistant-platform');
  });

  it('has no placeholder left: every panel but the rows queries something', () => {
    const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(panels.length).toBeGreaterThan(10);
    for (const panel of panels) {
      expect([panel.title, (panel.targets ?? []).length > 0]).toEqual([panel.title, true]);
    }
    expect(JSON.stringify(dashboard)).not.toMatch(/events work|not final|waiting for/i);
  });

  it('queries only metrics the services define, the default process metrics, or up', async () => {
    const defaults = await defaultMetricNames();
    const known = new Set([...defined, ...defaults, 'up']);
    // label_values(metric, label): the second argument is a label.
    const unknown = queries(dashboard).flatMap(({ where, expr }) =>
      metricsIn(expr.replace(/label_values\(([^,]+),[^)]*\)/g, '$1'))
        .map((series) => baseName(series, known))
        .filter((name) => !known.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('finds a metric no service defines (the check has teeth)', async () => {
    const known = new Set([...defined, ...(await defaultMetricNames()), 'up']);
    const names = metricsIn('sum(rate(turn_latency_seconds_bucket[5m])) + consumer_lag');
    expect(names.map((n) => baseName(n, known)).filter((n) => !known.has(n))).toEqual([
      'turn_latency_seconds_bucket',
      'consumer_lag',
    ]);
  });

  it('has a panel for every metric the services define', () => {
    // Spot checks that the source scan finds metrics wherever and however they are defined.
    for (const name of [
      'http_request_duration_seconds',
      'turn_duration_seconds',
      'llm_call_duration_seconds',
      'outbox_lag_seconds',
      'kafka_consumer_lag',
      'assistants_created_total',
    ]) {
      expect(defined).toContain(name);
    }
    const queried = new Set(
      queries(dashboard).flatMap(({ expr }) =>
        metricsIn(expr).map((series) => baseName(series, defined)),
      ),
    );
    expect([...defined].filter((name) => !queried.has(name)).sort()).toEqual([]);
  });
});
