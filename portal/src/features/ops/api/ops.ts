/** The Ops page's server state: live metrics (refreshing), usage and counters, for operators. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { unwrap } from '../../../lib/api';
import { useAuth } from '../../auth/auth-context';

export type UsageDimension = 'day' | 'model' | 'assistant' | 'apiKey';

/** How often the live panels refresh. */
export const LIVE_EVERY_MS = 15_000;

export function useIsOperator(): boolean {
  const { identity } = useAuth();
  return identity?.me.scopes.includes('admin') ?? false;
}

export function useOpsMetrics(minutes: number, live: boolean) {
  const { client, identity } = useAuth();
  const operator = useIsOperator();
  return useQuery({
    queryKey: ['ops', 'metrics', identity?.me.id, minutes],
    enabled: operator,
    placeholderData: keepPreviousData,
    refetchInterval: live ? LIVE_EVERY_MS : false,
    queryFn: () => unwrap(client.GET('/v1/ops/metrics', { params: { query: { minutes } } })),
  });
}

/** UTC days, `days` of them up to today. */
export function lastDays(days: number, now = new Date()): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}

export function useOpsUsage(groupBy: UsageDimension, days: number, live: boolean) {
  const { client, identity } = useAuth();
  const operator = useIsOperator();
  return useQuery({
    queryKey: ['ops', 'usage', identity?.me.id, groupBy, days],
    enabled: operator,
    placeholderData: keepPreviousData,
    refetchInterval: live ? LIVE_EVERY_MS : false,
    queryFn: () =>
      unwrap(client.GET('/v1/ops/usage', { params: { query: { ...lastDays(days), groupBy } } })),
  });
}

export function useOpsCounters(live: boolean) {
  const { client, identity } = useAuth();
  const operator = useIsOperator();
  return useQuery({
    queryKey: ['ops', 'counters', identity?.me.id],
    enabled: operator,
    refetchInterval: live ? LIVE_EVERY_MS : false,
    queryFn: () => unwrap(client.GET('/v1/ops/counters')),
  });
}
