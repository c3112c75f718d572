/**
 * The spend caps' periods, all in UTC: the day, the ISO week (starting Monday) and the calendar
 * month that contain an instant. Each has its first day (`YYYY-MM-DD`, what the usage rollup's
 * `day` column is compared with) and the instant it resets (the next period's start).
 */

export type SpendPeriod = 'daily' | 'weekly' | 'monthly';
export const SPEND_PERIODS: readonly SpendPeriod[] = ['daily', 'weekly', 'monthly'];

export interface PeriodWindow {
  /** The period's first UTC day, `YYYY-MM-DD`. */
  since: string;
  /** When the next period starts (the cap resets), an instant. */
  resetsAt: Date;
}

const DAY_MS = 86_400_000;

const utcDay = (year: number, month: number, day: number) => new Date(Date.UTC(year, month, day));
const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** The UTC day, ISO week and calendar month containing `now`. */
export function periodWindows(now: Date): Record<SpendPeriod, PeriodWindow> {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const today = utcDay(year, month, now.getUTCDate());
  // getUTCDay: Sunday 0 ... Saturday 6; the ISO week starts on Monday.
  const sinceMonday = (now.getUTCDay() + 6) % 7;
  const monday = new Date(today.getTime() - sinceMonday * DAY_MS);
  return {
    daily: { since: isoDay(today), resetsAt: new Date(today.getTime() + DAY_MS) },
    weekly: { since: isoDay(monday), resetsAt: new Date(monday.getTime() + 7 * DAY_MS) },
    monthly: { since: isoDay(utcDay(year, month, 1)), resetsAt: utcDay(year, month + 1, 1) },
  };
}
