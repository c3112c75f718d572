/**
 * The Ops page's numbers, independent of the chart library: series aligned on one time axis (as
 * uPlot wants them), each series' latest value, and values in words for their unit.
 */
import type { Schemas } from '@lab/client';

export type OpsSeries = Schemas['OpsMetrics']['panels'][number]['series'][number];
export type OpsUnit = Schemas['OpsMetrics']['panels'][number]['unit'] | 'usd';

/** `[times, values of series 1, values of series 2, ...]` on the union of their timestamps. */
export function alignSeries(series: OpsSeries[]): [number[], ...(number | null)[][]] {
  const times = [
    ...new Set(series.flatMap((s) => s.points.map((point) => point[0] as number))),
  ].sort((a, b) => a - b);
  const index = new Map(times.map((time, i) => [time, i]));
  const columns = series.map((s) => {
    const values: (number | null)[] = times.map(() => null);
    for (const [time, value] of s.points) values[index.get(time as number)!] = value ?? null;
    return values;
  });
  return [times, ...columns];
}

/** The last number of a series (null when it has none in the range). */
export function latest(series: OpsSeries): number | null {
  for (let i = series.points.length - 1; i >= 0; i -= 1) {
    const value = series.points[i]![1];
    if (typeof value === 'number') return value;
  }
  return null;
}

const compact = new Intl.NumberFormat('en', { maximumSignificantDigits: 3 });

export function formatValue(unit: OpsUnit, value: number | null): string {
  if (value === null) return 'no data';
  switch (unit) {
    case 'perSecond':
      return `${compact.format(value)}/s`;
    case 'seconds':
      return value < 1 ? `${compact.format(value * 1000)} ms` : `${compact.format(value)} s`;
    case 'events':
      return `${compact.format(value)} events`;
    case 'usd':
      return formatUsd(value);
    default:
      return compact.format(value);
  }
}

export function formatUsd(value: number): string {
  return `${value.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 6 })} USD`;
}

/** An axis tick: the value in its unit, short (no `events`, no `USD`). */
export function formatTick(unit: OpsUnit, value: number): string {
  if (unit === 'events' || unit === 'count' || unit === 'usd') return compact.format(value);
  return formatValue(unit, value);
}
