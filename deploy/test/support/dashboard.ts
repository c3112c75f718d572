/**
 * The Grafana dashboard (one file, used by docker-compose's Grafana and the chart's ConfigMap)
 * and the metric names its PromQL queries.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ROOT } from './platform';

export const DASHBOARD_PATH = join(
  ROOT,
  'deploy/helm/assistant-platform/dashboards/assistant-platform.json',
);

export interface Panel {
  type: string;
  title: string;
  description?: string;
  targets?: { refId: string; expr: string; legendFormat?: string }[];
  panels?: Panel[];
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; query?: unknown; definition?: string }[] };
}

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;
}

/** Every query of the dashboard: panel targets and template variables' `label_values(...)`. */
export function queries(dashboard: Dashboard): { where: string; expr: string }[] {
  const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  return [
    ...panels.flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({ where: panel.title, expr: target.expr })),
    ),
    ...dashboard.templating.list.flatMap((variable) =>
      variable.definition ? [{ where: `$${variable.name}`, expr: variable.definition }] : [],
    ),
  ];
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'and',
  'or',
  'unless',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects: identifiers that are neither functions nor
 * keywords, once label matchers, `by (...)` lists, ranges and strings are taken out. Series of a
 * histogram (`_bucket`, `_sum`, `_count`) are named by their histogram.
 */
export function metricsIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...stripped.matchAll(/(?<![\w$.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:]|\s*\()/g)]
    .map((match) => match[1]!)
    .filter((name) => !KEYWORDS.has(name.toLowerCase()));
  return [...new Set(names)];
}

/** The metric a series belongs to: a histogram's `x_bucket`, `x_sum`, `x_count` are `x`'s. */
export function baseName(series: string, known: Set<string>): string {
  const match = /^(.*)_(bucket|sum|count)$/.exec(series);
  return match && known.has(match[1]!) ? match[1]! : series;
}

/** prom-client's default metrics (`collectDefaultMetrics`), which every service exports. */
export async function defaultMetricNames(): Promise<Set<string>> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = await registry.getMetricsAsJSON();
  registry.clear();
  return new Set(metrics.map((metric) => metric.name));
}
