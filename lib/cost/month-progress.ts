/** Calendar months (UTC) as `YYYY-MM`, and how far into one a moment is. */

const DAY_MS = 86_400_000;

/** The UTC month of a moment, `YYYY-MM`. */
export function monthOf(time: string | Date): string {
  return (typeof time === 'string' ? new Date(time) : time).toISOString().slice(0, 7);
}

/** The first moment of a month (UTC). */
export function monthStart(month: string): Date {
  return new Date(`${month}-01T00:00:00.000Z`);
}

/** The first moment of the month after (UTC). */
export function nextMonthStart(month: string): Date {
  const start = monthStart(month);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

export function previousMonth(month: string): string {
  const start = monthStart(month);
  return monthOf(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - 1, 1)));
}

/** Every month from `first` to `last`, both included, oldest first. */
export function monthsFrom(first: string, last: string): string[] {
  const out: string[] = [];
  for (let m = first; m <= last; m = monthOf(nextMonthStart(m))) out.push(m);
  return out;
}

export interface MonthProgress {
  readonly month: string;
  readonly daysInMonth: number;
  /** Days since the month began, fractional, at least 1 (a projection from minutes would be noise). */
  readonly daysElapsed: number;
  /** What the month-to-date figures are multiplied by to project the whole month: daysInMonth / daysElapsed. */
  readonly factor: number;
}

/** How far into its month `now` is. */
export function monthProgress(now: Date): MonthProgress {
  const month = monthOf(now);
  const daysInMonth = (nextMonthStart(month).getTime() - monthStart(month).getTime()) / DAY_MS;
  const daysElapsed = Math.min(daysInMonth, Math.max(1, (now.getTime() - monthStart(month).getTime()) / DAY_MS));
  return { month, daysInMonth, daysElapsed, factor: daysInMonth / daysElapsed };
}
