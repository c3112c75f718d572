import { periodWindows } from './periods';

const at = (iso: string) => periodWindows(new Date(iso));
const plain = (iso: string) => {
  const w = at(iso);
  return Object.fromEntries(
    Object.entries(w).map(([k, v]) => [k, [v.since, v.resetsAt.toISOString()]]),
  );
};

describe('spend periods (UTC)', () => {
  it('puts an instant in its UTC day, ISO week (from Monday) and calendar month', () => {
    // Wednesday 2025-05-14
    expect(plain('2025-05-14T13:45:00Z')).toEqual({
      daily: ['2025-05-14', '2025-05-15T00:00:00.000Z'],
      weekly: ['2025-05-12', '2025-05-19T00:00:00.000Z'],
      monthly: ['2025-05-01', '2025-06-01T00:00:00.000Z'],
    });
  });

  it('starts a day at midnight UTC, whatever the local time zone', () => {
    expect(at('2025-05-14T00:00:00.000Z').daily.since).toBe('2025-05-14');
    expect(at('2025-05-13T23:59:59.999Z').daily.since).toBe('2025-05-13');
    expect(at('2025-05-14T00:30:00+02:00').daily.since).toBe('2025-05-13');
  });

  it('starts the week on Monday: Sunday belongs to the week before, Monday opens a new one', () => {
    expect(at('2025-05-18T23:59:59Z').weekly.since).toBe('2025-05-12'); // Sunday
    expect(at('2025-05-19T00:00:00Z').weekly.since).toBe('2025-05-19'); // Monday
    expect(at('2025-05-19T00:00:00Z').weekly.resetsAt.toISOString()).toBe(
      '2025-05-26T00:00:00.000Z',
    );
  });

  it('lets a week span months and years', () => {
    // Thursday 2026-01-01: the ISO week began on Monday 2025-12-29.
    expect(plain('2026-01-01T08:00:00Z')).toEqual({
      daily: ['2026-01-01', '2026-01-02T00:00:00.000Z'],
      weekly: ['2025-12-29', '2026-01-05T00:00:00.000Z'],
      monthly: ['2026-01-01', '2026-02-01T00:00:00.000Z'],
    });
    expect(at('2025-03-02T12:00:00Z').weekly.since).toBe('2025-02-24');
  });

  it('ends months on their last day, February of leap years included, and December into January', () => {
    expect(at('2024-02-29T23:59:59Z').monthly.resetsAt.toISOString()).toBe(
      '2024-03-01T00:00:00.000Z',
    );
    expect(at('2024-02-29T23:59:59Z').daily.resetsAt.toISOString()).toBe(
      '2024-03-01T00:00:00.000Z',
    );
    expect(at('2025-02-28T10:00:00Z').monthly.resetsAt.toISOString()).toBe(
      '2025-03-01T00:00:00.000Z',
    );
    expect(plain('2025-12-31T23:59:59Z').monthly).toEqual([
      '2025-12-01',
      '2026-01-01T00:00:00.000Z',
    ]);
    expect(at('2025-12-31T23:59:59Z').daily.resetsAt.toISOString()).toBe(
      '2026-01-01T00:00:00.000Z',
    );
  });
});
