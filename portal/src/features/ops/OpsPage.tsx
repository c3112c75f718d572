/**
 * Ops, for operators (a credential with the `admin` scope): the platform's live metrics from
 * Prometheus through the gateway's ops API — turns per second, turn latency percentiles, workflow
 * failures, guard hits, LLM errors, outbox and consumer lag — refreshing every 15 seconds; tokens
 * and cost from the usage tables (the money of record) by day, model, assistant or API key; and
 * the platform's counters. Loaded only when opened: the chart library stays out of every other page.
 */
import { useId, useState } from 'react';
import { Link } from 'react-router';
import type { Schemas } from '@lab/client';
import { PageTitle } from '../../app/Layout';
import { Empty, ErrorNotice, Loading } from '../../components/status';
import { useAuth } from '../auth/auth-context';
import {
  LIVE_EVERY_MS,
  type UsageDimension,
  useIsOperator,
  useOpsCounters,
  useOpsMetrics,
  useOpsUsage,
} from './api/ops';
import { formatUsd } from './chart-data';
import { TimeChart } from './TimeChart';
import './ops.css';

const RANGES = [
  { minutes: 15, label: 'Last 15 minutes' },
  { minutes: 60, label: 'Last hour' },
  { minutes: 360, label: 'Last 6 hours' },
  { minutes: 1440, label: 'Last 24 hours' },
] as const;

const DIMENSIONS: { value: UsageDimension; label: string }[] = [
  { value: 'day', label: 'Day' },
  { value: 'model', label: 'Model' },
  { value: 'assistant', label: 'Assistant' },
  { value: 'apiKey', label: 'API key' },
];

const USAGE_DAYS = 30;

export default function OpsPage() {
  const { identity } = useAuth();
  const operator = useIsOperator();
  const [minutes, setMinutes] = useState(60);
  const [live, setLive] = useState(true);
  const ids = { range: useId(), live: useId() };

  if (!identity || !operator) {
    return (
      <section>
        <PageTitle>Ops</PageTitle>
        <p className="notice">
          {identity ? (
            'This page is for operators: sign in with a platform API key that has the admin scope.'
          ) : (
            <>
              <Link to="/sign-in" state={{ returnTo: '/ops' }}>
                Sign in
              </Link>{' '}
              with a platform API key that has the admin scope to see the platform’s metrics.
            </>
          )}
        </p>
      </section>
    );
  }
  return (
    <section className="ops">
      <PageTitle>Ops</PageTitle>
      <div className="ops-controls row">
        <label htmlFor={ids.range}>Range</label>
        <select
          id={ids.range}
          value={minutes}
          onChange={(event) => setMinutes(Number(event.target.value))}
        >
          {RANGES.map((range) => (
            <option key={range.minutes} value={range.minutes}>
              {range.label}
            </option>
          ))}
        </select>
        <input
          id={ids.live}
          type="checkbox"
          checked={live}
          onChange={(event) => setLive(event.target.checked)}
        />
        <label htmlFor={ids.live}>Live (refresh every {LIVE_EVERY_MS / 1000} s)</label>
      </div>
      <LiveMetrics minutes={minutes} live={live} />
      <Money live={live} />
      <Counters live={live} />
    </section>
  );
}

function LiveMetrics({ minutes, live }: { minutes: number; live: boolean }) {
  const metrics = useOpsMetrics(minutes, live);
  return (
    <section aria-labelledby="ops-live">
      <h2 id="ops-live">Workflows and model calls</h2>
      {metrics.isPending ? (
        <Loading what="the metrics" />
      ) : metrics.isError ? (
        <ErrorNotice error={metrics.error} onRetry={() => void metrics.refetch()} />
      ) : !metrics.data.configured ? (
        <p className="notice">
          Live metrics are off: the gateway has no Prometheus to read (set PROMETHEUS_URL). Usage
          and counters below come from the platform’s own tables.
        </p>
      ) : (
        <>
          <p className="hint">
            Updated {new Date(metrics.dataUpdatedAt).toLocaleTimeString()}, one point every{' '}
            {metrics.data.stepSeconds} s.
          </p>
          <div className="ops-charts">
            {metrics.data.panels.map((panel) => (
              <TimeChart
                key={panel.id}
                id={`ops-${panel.id}`}
                title={panel.title}
                unit={panel.unit}
                series={panel.series}
                range={[Date.parse(metrics.data.from) / 1000, Date.parse(metrics.data.to) / 1000]}
              />
            ))}
          </div>
        </>
      )}
    </section>
  );
}

function Money({ live }: { live: boolean }) {
  const [groupBy, setGroupBy] = useState<UsageDimension>('day');
  const usage = useOpsUsage(groupBy, USAGE_DAYS, live);
  const byDay = useOpsUsage('day', USAGE_DAYS, live);
  const id = useId();
  return (
    <section aria-labelledby="ops-money">
      <h2 id="ops-money">Tokens and cost, last {USAGE_DAYS} days</h2>
      {byDay.isSuccess && byDay.data.groups.length > 0 ? (
        <TimeChart
          id="ops-cost-by-day"
          title="Cost per day (USD)"
          unit="usd"
          range={[
            Date.parse(`${byDay.data.from}T00:00:00Z`) / 1000,
            Date.parse(`${byDay.data.to}T00:00:00Z`) / 1000,
          ]}
          timeFormat="day"
          series={[
            {
              name: 'cost',
              points: byDay.data.groups.map((g) => [
                Date.parse(`${g.key}T00:00:00Z`) / 1000,
                g.costUsd,
              ]),
            },
          ]}
        />
      ) : null}
      <div className="row">
        <label htmlFor={id}>Group by</label>
        <select
          id={id}
          value={groupBy}
          onChange={(event) => setGroupBy(event.target.value as UsageDimension)}
        >
          {DIMENSIONS.map((dimension) => (
            <option key={dimension.value} value={dimension.value}>
              {dimension.label}
            </option>
          ))}
        </select>
      </div>
      {usage.isPending ? (
        <Loading what="usage" />
      ) : usage.isError ? (
        <ErrorNotice error={usage.error} onRetry={() => void usage.refetch()} />
      ) : (
        <UsageTable
          report={usage.data}
          label={DIMENSIONS.find((d) => d.value === groupBy)!.label}
        />
      )}
    </section>
  );
}

function UsageTable({ report, label }: { report: Schemas['UsageReport']; label: string }) {
  if (report.groups.length === 0) return <Empty>No usage in these days yet.</Empty>;
  const none = report.groupBy === 'apiKey' ? 'no API key' : 'lab drafts';
  // Wider than a phone: it scrolls sideways, so it takes the keyboard's focus to be scrolled.
  return (
    <div
      className="table-scroll"
      tabIndex={0}
      role="region"
      aria-label={`Usage by ${label.toLowerCase()}`}
    >
      <table>
        <caption className="visually-hidden">
          Usage by {label.toLowerCase()}, {report.from} to {report.to}
        </caption>
        <thead>
          <tr>
            <th scope="col">{label}</th>
            <th scope="col">Turns</th>
            <th scope="col">Prompt tokens</th>
            <th scope="col">Completion tokens</th>
            <th scope="col">Cost</th>
            <th scope="col">Guard hits</th>
          </tr>
        </thead>
        <tbody>
          {report.groups.map((group) => (
            <tr key={group.key ?? 'none'}>
              <th scope="row">{group.key ?? `(${none})`}</th>
              <td>{group.turns.toLocaleString()}</td>
              <td>{group.promptTokens.toLocaleString()}</td>
              <td>{group.completionTokens.toLocaleString()}</td>
              <td>{formatUsd(group.costUsd)}</td>
              <td>{group.guardHits.toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td>{report.totals.turns.toLocaleString()}</td>
            <td>{report.totals.promptTokens.toLocaleString()}</td>
            <td>{report.totals.completionTokens.toLocaleString()}</td>
            <td>{formatUsd(report.totals.costUsd)}</td>
            <td>{report.totals.guardHits.toLocaleString()}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function Counters({ live }: { live: boolean }) {
  const counters = useOpsCounters(live);
  return (
    <section aria-labelledby="ops-counters">
      <h2 id="ops-counters">Counters</h2>
      {counters.isPending ? (
        <Loading what="the counters" />
      ) : counters.isError ? (
        <ErrorNotice error={counters.error} onRetry={() => void counters.refetch()} />
      ) : (
        <dl className="facts">
          <dt>Users</dt>
          <dd>
            {counters.data.users.total} ({counters.data.users.people} people,{' '}
            {counters.data.users.systems} systems)
          </dd>
          <dt>Active today / 7 days / 30 days</dt>
          <dd>
            {counters.data.users.active.today} / {counters.data.users.active.last7Days} /{' '}
            {counters.data.users.active.last30Days}
          </dd>
          <dt>Sessions started</dt>
          <dd>{counters.data.sessions.started}</dd>
          <dt>Sessions ended</dt>
          <dd>{counters.data.sessions.ended}</dd>
          <dt>Assistants created</dt>
          <dd>{counters.data.assistants.created}</dd>
        </dl>
      )}
    </section>
  );
}
