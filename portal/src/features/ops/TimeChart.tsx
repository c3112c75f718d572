/**
 * One time series chart, drawn by uPlot (a small canvas chart library) and described in words:
 * the canvas is an image whose accessible name says what it shows, and the table under it gives
 * each series' latest value, so a screen reader or a glance gets the same answer.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import {
  alignSeries,
  formatTick,
  formatValue,
  latest,
  type OpsSeries,
  type OpsUnit,
} from './chart-data';

const DARK = '(prefers-color-scheme: dark)';

/** The colour scheme, followed live: a canvas keeps the colours it was drawn with. */
function useColourScheme(): 'dark' | 'light' {
  return useSyncExternalStore(
    (changed) => {
      const query = window.matchMedia(DARK);
      query.addEventListener('change', changed);
      return () => query.removeEventListener('change', changed);
    },
    () => (window.matchMedia(DARK).matches ? 'dark' : 'light'),
  );
}

/** A usage day's tick label. */
const DAY = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** Distinct in light and dark, and for the common colour-vision deficiencies (Okabe–Ito). */
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442'];

export function TimeChart({
  id,
  title,
  unit,
  series,
  range,
  timeFormat = 'time',
}: {
  id: string;
  title: string;
  unit: OpsUnit;
  series: OpsSeries[];
  /** The time axis, unix seconds: the range asked for, however few points it holds. */
  range: [number, number];
  timeFormat?: 'time' | 'day';
}) {
  const holder = useRef<HTMLDivElement>(null);
  const scheme = useColourScheme();
  const [rangeFrom, rangeTo] = range;

  useEffect(() => {
    const element = holder.current;
    if (!element || series.length === 0) return;
    const text = getComputedStyle(element).color;
    const grid = getComputedStyle(element).borderColor;
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    const chart = new uPlot(
      {
        width: Math.max(element.clientWidth, 240),
        height: 180,
        legend: { show: false },
        cursor: { show: true, drag: { x: false, y: false } },
        scales: { x: { time: true, range: (): uPlot.Range.MinMax => [rangeFrom, rangeTo] } },
        axes: [
          {
            ...axis,
            ...(timeFormat === 'day'
              ? {
                  // Short UTC dates (the usage days are UTC), far enough apart not to overlap.
                  space: 72,
                  values: (_: uPlot, ticks: number[]) => ticks.map((t) => DAY.format(t * 1000)),
                }
              : {}),
          },
          { ...axis, size: 64, values: (_, ticks) => ticks.map((t) => formatTick(unit, t)) },
        ],
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.name,
            stroke: COLOURS[i % COLOURS.length]!,
            width: 2,
            spanGaps: false,
          })),
        ],
      },
      alignSeries(series),
      element,
    );
    // Phones and resized windows: the chart follows its box's width.
    const resize = new ResizeObserver(() => {
      chart.setSize({ width: Math.max(element.clientWidth, 240), height: 180 });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [series, unit, timeFormat, rangeFrom, rangeTo, scheme]);

  const summary =
    series.length === 0
      ? `${title}: no series in this range`
      : `${title}, ${series.length} series: ${series
          .map((s) => `${s.name} ${formatValue(unit, latest(s))}`)
          .join(', ')}`;
  return (
    <figure className="ops-chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      {series.length === 0 ? (
        <p className="empty">No data in this range.</p>
      ) : (
        <>
          <div className="ops-canvas" ref={holder} role="img" aria-label={summary} />
          <table className="ops-latest">
            <caption className="visually-hidden">{title}: latest values</caption>
            <thead>
              <tr>
                <th scope="col">Series</th>
                <th scope="col">Latest</th>
              </tr>
            </thead>
            <tbody>
              {series.map((s, i) => (
                <tr key={s.name}>
                  <th scope="row">
                    <span
                      className={`ops-swatch ops-swatch-${i % COLOURS.length}`}
                      aria-hidden="true"
                    />
                    {s.name}
                  </th>
                  <td>{formatValue(unit, latest(s))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </figure>
  );
}
