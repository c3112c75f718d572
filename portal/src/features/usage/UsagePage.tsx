/**
 * My usage: my counters, spend today, this week and this month, my caps and what remains; with my
 * own OpenAI key, changing it (and the re-encryption's progress).
 */
import { useQuery } from '@tanstack/react-query';
import type { Schemas } from '@lab/client';
import { Link } from 'react-router';
import { PageTitle } from '../../app/Layout';
import { ErrorNotice, Loading } from '../../components/status';
import { unwrap } from '../../lib/api';
import { useAuth } from '../auth/auth-context';
import { KeyRotation } from './KeyRotation';

const usd = (value: number | null) => (value === null ? 'no cap' : `${value.toFixed(4)} USD`);

export default function UsagePage() {
  const { client, identity } = useAuth();
  const me = useQuery({
    queryKey: ['me', identity?.me.id],
    enabled: identity !== null,
    queryFn: () => unwrap(client.GET('/v1/me')),
  });
  const usage = useQuery({
    queryKey: ['usage', identity?.me.id],
    enabled: identity !== null,
    queryFn: () => unwrap(client.GET('/v1/me/usage')),
  });
  if (!identity) {
    return (
      <section>
        <PageTitle>Usage</PageTitle>
        <p className="notice">
          <Link to="/sign-in" state={{ returnTo: '/usage' }}>
            Sign in
          </Link>{' '}
          to see your usage.
        </p>
      </section>
    );
  }
  return (
    <section>
      <PageTitle>Usage</PageTitle>
      <h2>My counters</h2>
      {me.isPending ? (
        <Loading what="your counters" />
      ) : me.isError ? (
        <ErrorNotice error={me.error} onRetry={() => void me.refetch()} />
      ) : (
        <dl className="facts">
          <dt>Sessions started</dt>
          <dd>{me.data.counters.sessionsStarted}</dd>
          <dt>Sessions ended</dt>
          <dd>{me.data.counters.sessionsEnded}</dd>
          <dt>Assistants created</dt>
          <dd>{me.data.counters.assistantsCreated}</dd>
        </dl>
      )}
      <h2>Spend and caps</h2>
      {usage.isPending ? (
        <Loading what="your spend" />
      ) : usage.isError ? (
        <ErrorNotice error={usage.error} onRetry={() => void usage.refetch()} />
      ) : (
        <SpendTable budget={usage.data.user} remaining={usage.data.remainingUsd} />
      )}
      {identity.kind === 'byok' ? <KeyRotation /> : null}
    </section>
  );
}

function SpendTable({
  budget,
  remaining,
}: {
  budget: Schemas['Budget'];
  remaining: number | null;
}) {
  const rows = [
    ['Today', budget.daily],
    ['This week', budget.weekly],
    ['This month', budget.monthly],
  ] as const;
  return (
    <>
      <div className="table-scroll">
        <table>
          <caption className="visually-hidden">Spend by period</caption>
          <thead>
            <tr>
              <th scope="col">Period</th>
              <th scope="col">Spent</th>
              <th scope="col">Cap</th>
              <th scope="col">Remaining</th>
              <th scope="col">Resets</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([label, period]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td>{usd(period.spentUsd)}</td>
                <td>{usd(period.capUsd)}</td>
                <td>{period.remainingUsd === null ? '—' : usd(period.remainingUsd)}</td>
                <td>{new Date(period.resetsAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        {remaining === null
          ? 'No spend cap applies to you.'
          : `You can still spend ${usd(remaining)} before a cap stops your chats.`}
      </p>
    </>
  );
}
