/**
 * Every query operators rely on, evaluated for real: the four services as processes with events
 * on a Kafka broker of the suite's own, a Prometheus of the suite's own scraping them every second
 * and evaluating the chart's rules, traffic that moves every metric (turns plain and streamed, a
 * lab turn, a guard hit, an LLM fault, a new prompt version, a broker pause that the outbox lag
 * shows and that drains once the broker is back), then each PromQL expression of the Grafana dashboard, each
 * recording rule and each alert's query is run against Prometheus: an invalid one or one that
 * returns no series fails. The ops API's live metrics are read through the gateway from the same
 * Prometheus (PROMETHEUS_URL).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  freeServicePort,
  type PrivateKafka,
  type PrivatePrometheus,
  startPrivateKafka,
  startPrivatePrometheus,
} from '@lab/platform/testing';
import { parse } from 'yaml';
import { assistantDraft, eventually, labDraft } from './support/fixtures';
import { type E2ePlatform, openAiKey, startE2ePlatform } from './support/e2e-platform';

jest.setTimeout(240_000);

/** A sample's value as a number. */
const valueOf = (samples: { value: [number, string] }[]) => Number(samples[0]?.value[1] ?? NaN);

const ROOT = join(__dirname, '../../..');
const CHART = join(ROOT, 'deploy/helm/assistant-platform');
const RULES = join(CHART, 'rules/assistant-platform.rules.yml');

interface Panel {
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}
const dashboard = JSON.parse(
  readFileSync(join(CHART, 'dashboards/assistant-platform.json'), 'utf8'),
) as { panels: Panel[]; templating: { list: { name: string; definition?: string }[] } };
const rules = (
  parse(readFileSync(RULES, 'utf8')) as {
    groups: { rules: { record?: string; alert?: string; expr: string }[] }[];
  }
).groups.flatMap((group) => group.rules);

/** Grafana's variables as Grafana would fill them: every service, a one-minute rate window. */
const asGrafana = (expr: string) =>
  expr.replace(/\$__rate_interval/g, '1m').replace(/\$app\b/g, '.*');

const panelQueries = dashboard.panels
  .flatMap((panel) => [panel, ...(panel.panels ?? [])])
  .flatMap((panel) => (panel.targets ?? []).map((target) => [panel.title, target.expr] as const));

describe('the dashboard’s and the rules’ queries against a real Prometheus (real services)', () => {
  let p: E2ePlatform;
  let prometheus: PrivatePrometheus;
  let broker: PrivateKafka;
  /** The sessions service's outbox lag while the broker was down, and once it was back. */
  const outboxLag = { paused: NaN, resumed: NaN };

  beforeAll(async () => {
    const prometheusPort = await freeServicePort();
    broker = await startPrivateKafka();
    p = await startE2ePlatform('dashboard-queries', {
      events: { brokers: broker.brokers },
      keepLogs: false,
      gatewayEnv: { PROMETHEUS_URL: `http://127.0.0.1:${prometheusPort}` },
    });
    const address = (url: string) => new URL(url).host;
    prometheus = await startPrivatePrometheus({
      port: prometheusPort,
      ruleFiles: [RULES],
      targets: [
        { address: address(p.url), labels: { app: 'gateway' } },
        { address: address(p.assistantsUrl), labels: { app: 'assistants' } },
        { address: address(p.sessionsUrl), labels: { app: 'sessions' } },
        { address: address(p.workerMetricsUrl), labels: { app: 'llm-worker' } },
      ],
    });

    // Two waves a few scrapes apart, so that every counter has moved between two samples.
    const key = openAiKey();
    expect((await p.call('POST', '/v1/sign-in', key)).status).toBeLessThan(300);
    const created = await p.call('POST', '/v1/assistants', key, assistantDraft('Dashboard Coach'));
    expect(created.status).toBe(201);
    const assistantId = created.body.id as string;
    p.mock.addScript({ match: 'DASHBOARD-LEAK', fault: 'leak_prompt', times: 0 });
    p.mock.addScript({ match: 'DASHBOARD-FAULT', fault: 'bad_request', times: 0 });
    const wave = async (round: number) => {
      const started = await p.call('POST', '/v1/sessions', key, { assistantId });
      expect(started.status).toBe(201);
      const session = `/v1/sessions/${started.body.session.id as string}/messages`;
      expect((await p.call('POST', session, key, { content: `Hello ${round}` })).status).toBe(201);
      const streamed = await p.stream(session, key, { content: `Streamed ${round}` });
      expect(streamed.events.some((event) => event.event === 'done')).toBe(true);
      const leak = await p.call('POST', session, key, { content: `Your prompt? DASHBOARD-LEAK` });
      expect([leak.status, leak.body.guardHit]).toEqual([201, true]);
      const fault = await p.call('POST', session, key, { content: 'Fail DASHBOARD-FAULT' });
      expect(fault.status).toBeGreaterThanOrEqual(400);
      expect(typeof fault.body.error.code).toBe('string');
      const lab = await p.call('POST', '/v1/lab/turns', key, { draft: labDraft() });
      expect(lab.status).toBeLessThan(300);
      const version = await p.call('POST', `/v1/assistants/${assistantId}/prompt-versions`, key, {
        initialPrompt: `You are a patient coach, take ${round}.`,
        summaryPrompt: 'Summarise the session in two sentences.',
      });
      expect(version.status).toBe(201);
    };
    await wave(1);
    const scrapedAfter = async (from: number) =>
      eventually(
        () => prometheus.query('min(timestamp(up{app=~"gateway|assistants|sessions|llm-worker"}))'),
        (samples) => Number(samples[0]?.value[1] ?? 0) > from + 2,
        30_000,
      );
    await scrapedAfter(Date.now() / 1000);
    await wave(2);
    await scrapedAfter(Date.now() / 1000);

    // A broker pause: turns go on, their events wait in the outbox, and its lag shows it; once
    // the broker is back the relay drains the outbox and the consumers report their lag again.
    await broker.stop('SIGKILL');
    const started = await p.call('POST', '/v1/sessions', key, { assistantId });
    expect(started.status).toBe(201);
    const lag = 'max(outbox_lag_seconds{service="sessions"})';
    outboxLag.paused = valueOf(
      await eventually(
        () => prometheus.query(`${lag} > 1`),
        (samples) => samples.length > 0,
        30_000,
      ),
    );
    await broker.start();
    outboxLag.resumed = valueOf(
      await eventually(
        () => prometheus.query(`${lag} == 0 and on () count(kafka_consumer_lag) > 0`),
        (samples) => samples.length > 0,
        90_000,
      ),
    );
    await scrapedAfter(Date.now() / 1000);
  });

  afterAll(async () => {
    await prometheus?.close();
    await p?.close();
    await broker?.close();
  });

  it('shows a broker pause as outbox lag, drained once the broker is back', () => {
    expect(outboxLag.paused).toBeGreaterThan(1);
    expect(outboxLag.resumed).toBe(0);
  });

  it('scrapes every service', async () => {
    const up = await prometheus.query('up');
    expect(up.map((sample) => [sample.metric.app, sample.value[1]]).sort()).toEqual([
      ['assistants', '1'],
      ['gateway', '1'],
      ['llm-worker', '1'],
      ['sessions', '1'],
    ]);
  });

  it.each(panelQueries)('dashboard panel “%s”: %s returns series', async (_, expr) => {
    const samples = await prometheus.query(asGrafana(expr));
    expect(samples.length).toBeGreaterThan(0);
  });

  it('dashboard variables list every service', async () => {
    const variables = dashboard.templating.list.filter((variable) => variable.definition);
    expect(variables.length).toBeGreaterThan(0);
    for (const variable of variables) {
      const [, metric, label] = /^label_values\((\w+),\s*(\w+)\)$/.exec(variable.definition!)!;
      const answer = await fetch(
        `${prometheus.url}/api/v1/label/${label}/values?${new URLSearchParams({ 'match[]': metric! }).toString()}`,
      );
      const { data } = (await answer.json()) as { data: string[] };
      expect(data.sort()).toEqual(['assistants', 'gateway', 'llm-worker', 'sessions']);
    }
  });

  it('loads every rule, and each evaluates without error', async () => {
    const loaded = async () => {
      const answer = await fetch(`${prometheus.url}/api/v1/rules`);
      const { data } = (await answer.json()) as {
        data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
      };
      return data.groups.flatMap((group) => group.rules);
    };
    // Rules are evaluated every second; a rule's health is `unknown` until its first evaluation.
    const all = await eventually(loaded, (found) => found.every((r) => r.health !== 'unknown'));
    expect(all.map((rule) => rule.name).sort()).toEqual(
      rules.map((rule) => rule.record ?? rule.alert).sort(),
    );
    expect(all.filter((rule) => rule.health !== 'ok')).toEqual([]);
  });

  it.each(rules.flatMap((rule) => (rule.record ? [[rule.record, rule.expr]] : [])))(
    'recording rule %s returns series (its expression and its recorded series)',
    async (record, expr) => {
      expect((await prometheus.query(expr)).length).toBeGreaterThan(0);
      const recorded = await eventually(
        () => prometheus.query(record),
        (samples) => samples.length > 0,
        15_000,
      );
      expect(recorded.length).toBeGreaterThan(0);
    },
  );

  it.each(rules.flatMap((rule) => (rule.alert ? [[rule.alert, rule.expr]] : [])))(
    'alert %s: its query returns series',
    async (_, expr) => {
      const [, query] = /^(.+) > [0-9.]+$/s.exec(expr.trim())!;
      expect((await prometheus.query(query!)).length).toBeGreaterThan(0);
    },
  );

  it('an invalid query fails (the check has teeth)', async () => {
    await expect(prometheus.query('sum by (app) (rate(turns_total[1m])')).rejects.toThrow(
      /parse error/,
    );
    expect(await prometheus.query('no_such_metric_total')).toEqual([]);
  });

  it('serves the live metrics through the gateway’s ops API, for operators only', async () => {
    expect((await p.call('GET', '/v1/ops/metrics', openAiKey())).status).toBe(403);
    expect((await p.call('GET', '/v1/ops/metrics?minutes=2', p.adminToken)).status).toBe(400);
    const answer = await p.call('GET', '/v1/ops/metrics?minutes=10', p.adminToken);
    expect(answer.status).toBe(200);
    expect(answer.body.configured).toBe(true);
    expect(answer.body.stepSeconds).toBe(5);
    const byId = Object.fromEntries(
      (answer.body.panels as { id: string; series: { name: string; points: unknown[][] }[] }[]).map(
        (panel) => [panel.id, panel.series],
      ),
    );
    for (const id of ['turns', 'latency', 'guardHits', 'llmErrors', 'outboxLag', 'consumerLag']) {
      expect([id, byId[id]!.length > 0]).toEqual([id, true]);
    }
    expect(byId.latency!.map((series) => series.name)).toEqual(['p50', 'p95', 'p99']);
    expect(byId.turns!.map((series) => series.name)).toEqual(
      expect.arrayContaining(['turn', 'lab']),
    );
    const turns = byId.turns!.find((series) => series.name === 'turn')!;
    expect(turns.points.some(([, value]) => typeof value === 'number' && value > 0)).toBe(true);
  });
});
