import { describe, expect, it } from 'vitest';
import { alignSeries, formatTick, formatUsd, formatValue, latest } from './chart-data';

describe('the Ops page numbers', () => {
  it('aligns series on the union of their times, gaps as null', () => {
    expect(
      alignSeries([
        {
          name: 'turn',
          points: [
            [10, 1],
            [20, 2],
          ],
        },
        {
          name: 'lab',
          points: [
            [20, 5],
            [30, null],
          ],
        },
      ]),
    ).toEqual([
      [10, 20, 30],
      [1, 2, null],
      [null, 5, null],
    ]);
    expect(alignSeries([])).toEqual([[]]);
  });

  it('takes the last number of a series', () => {
    expect(
      latest({
        name: 'p95',
        points: [
          [1, 0.4],
          [2, 0.7],
          [3, null],
        ],
      }),
    ).toBe(0.7);
    expect(latest({ name: 'p95', points: [[1, null]] })).toBeNull();
  });

  it('says values in their unit', () => {
    expect(formatValue('perSecond', 1.234)).toBe('1.23/s');
    expect(formatValue('seconds', 0.25)).toBe('250 ms');
    expect(formatValue('seconds', 2.5)).toBe('2.5 s');
    expect(formatValue('events', 1200)).toBe('1,200 events');
    expect(formatValue('count', 3)).toBe('3');
    expect(formatValue('count', null)).toBe('no data');
    expect(formatUsd(0.0000048)).toBe('0.000005 USD');
    expect(formatUsd(12.5)).toBe('12.50 USD');
    expect(formatValue('usd', 0.25)).toBe('0.25 USD');
    expect(formatTick('events', 1200)).toBe('1,200');
    expect(formatTick('seconds', 0.5)).toBe('500 ms');
  });
});
