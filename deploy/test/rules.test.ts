/**
 * The recording rules and alerts (deploy/helm/assistant-platform/rules/), checked by Prometheus'
 * own promtool: `check rules` (valid PromQL, names, templates) and `test rules`, the unit tests
 * of deploy/test/rules/ that feed series and expect recorded values and firing alerts. The chart
 * ships the same file as a PrometheusRule; scripts/infra's and docker-compose's Prometheus load it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadCompose } from './support/compose';
import { CHART, render } from './support/chart';
import { ROOT } from './support/platform';

const RULES = join(CHART, 'rules/assistant-platform.rules.yml');
const TESTS = join(ROOT, 'deploy/test/rules');

function promtool(args: string[]): { status: number | null; output: string } {
  const binary = process.env.PROMTOOL;
  if (!binary) throw new Error('PROMTOOL is not set: run through the deploy project');
  const run = spawnSync(binary, args, { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

interface RuleGroup {
  name: string;
  rules: { record?: string; alert?: string; expr: string }[];
}
const groups = (parse(readFileSync(RULES, 'utf8')) as { groups: RuleGroup[] }).groups;

describe('the recording rules and alerts', () => {
  it('pass promtool check rules', () => {
    const { status, output } = promtool(['check', 'rules', RULES]);
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
    expect(status).toBe(0);
  });

  it('pass their promtool unit tests', () => {
    const files = readdirSync(TESTS).filter((file) => file.endsWith('.test.yml'));
    expect(files.length).toBeGreaterThan(0);
    const { status, output } = promtool(['test', 'rules', ...files.map((f) => join(TESTS, f))]);
    expect(output).not.toMatch(/FAILED/);
    expect(status).toBe(0);
  });

  it('have a unit test for every recording rule and alert', () => {
    const tests = readdirSync(TESTS)
      .filter((file) => file.endsWith('.test.yml'))
      .map((file) => readFileSync(join(TESTS, file), 'utf8'))
      .join('\n');
    const untested = groups
      .flatMap((group) => group.rules)
      .map((rule) => rule.record ?? rule.alert!)
      // Rule names are [a-zA-Z_:]: nothing to escape.
      .filter((name) => !new RegExp(`(expr|alertname): '?${name}'?\\n`).test(tests));
    expect(untested).toEqual([]);
  });

  it('cover turns/s, latency percentiles, failures, guard hits, LLM errors, lags and spend', () => {
    const recorded = groups.flatMap((group) => group.rules.flatMap((rule) => rule.record ?? []));
    expect(recorded).toEqual(
      expect.arrayContaining([
        'workflow:turns:rate5m',
        'workflow:turn_duration_seconds:p50_5m',
        'workflow:turn_duration_seconds:p95_5m',
        'workflow:turn_duration_seconds:p99_5m',
        'workflow_type:workflow_failures:rate5m',
        'stage:guard_hits:rate5m',
        'model_kind:llm_errors:rate5m',
        'service:outbox_lag_seconds:max',
        'consumer:kafka_consumer_lag:sum',
        'model:llm_cost_usd:increase1d',
      ]),
    );
  });

  it('write every alert as a query and a threshold, so its query can be evaluated alone', () => {
    const alerts = groups.flatMap((group) => group.rules.filter((rule) => rule.alert));
    expect(alerts.length).toBeGreaterThan(5);
    for (const alert of alerts) {
      expect([alert.alert, /^.+ > [0-9.]+$/s.test(alert.expr.trim())]).toEqual([alert.alert, true]);
    }
  });

  it('are what the chart ships as a PrometheusRule and what compose’s Prometheus loads', () => {
    const objects = render({ set: ['metrics.prometheusRule.enabled=true'] });
    const rule = objects.find((object) => object.kind === 'PrometheusRule');
    expect(rule?.spec).toEqual({ groups });
    expect(render().some((object) => object.kind === 'PrometheusRule')).toBe(false);

    const prometheus = loadCompose().services.prometheus!;
    const mount = prometheus.volumes!.find((volume) => volume.includes('rules'))!;
    expect(join(ROOT, mount.split(':')[0]!)).toBe(join(CHART, 'rules'));
    const config = parse(
      readFileSync(join(ROOT, 'deploy/compose/prometheus/prometheus.yml'), 'utf8'),
    ) as { rule_files: string[] };
    expect(config.rule_files).toEqual([`${mount.split(':')[1]}/*.yml`]);
  });
});
