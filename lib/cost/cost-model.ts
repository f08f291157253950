/**
 * What the bucket costs, month by month (UTC), from the run history: the operations the runs sent, the
 * storage full listings measured, the list price and the bill after R2's free allowance, a projection of
 * the current month, and the seed's estimate beside this bucket's own figures.
 */
import type { RunRecord, StorageFigures } from '../history/types';
import { monthOf, monthProgress, monthsFrom, nextMonthStart, previousMonth, type MonthProgress } from './month-progress';
import { billAfterAllowance, listPrice, type Dollars } from './r2-bill';
import { BYTES_PER_GB } from './r2-prices';
import { seedComparison, type SeedComparison } from './seed-comparison';

export { R2_BILLING_UNITS, R2_FREE_TIER, R2_PRICES } from './r2-prices';

/** Said wherever costs are shown: the model counts only what the tool itself sends. */
export const CDN_NOTE = 'Public reads through the CDN (the site\'s image requests) never reach the S3 API, so they are not counted here;'
  + ' a cache miss reaches R2 as a class B read, which Cloudflare\'s R2 metrics show and this model does not.';

export interface Operations {
  readonly classA: number;
  readonly classB: number;
  readonly free: number;
}

/** Sizes in GB (decimal) from one full listing. */
export interface StorageGb {
  readonly images: number;
  readonly archive: number;
  readonly records: number;
  readonly total: number;
  /** Image objects the listing counted. */
  readonly imageCount: number;
  /** When the listing was made, and by which run. */
  readonly measuredAt: string;
  readonly run: string;
}

export interface MonthCost {
  /** `YYYY-MM` (UTC). */
  readonly month: string;
  readonly runs: number;
  readonly operations: Operations;
  /** The newest measurement made in or before the month; null: not measured. */
  readonly storage: StorageGb | null;
  /** What the month is charged for storage: the measured total × the share of the month covered. */
  readonly gbMonths: number;
  /** At list price, nothing included. */
  readonly list: Dollars;
  /** After the free allowance, usage rounded up to the billing unit. */
  readonly bill: Dollars;
}

export interface CostProjection extends MonthCost {
  readonly progress: MonthProgress;
}

export interface CostModel {
  readonly environment: string | null;
  readonly now: string;
  /** Every month from the oldest run's to now's, oldest first (the current one to date). */
  readonly months: readonly MonthCost[];
  readonly thisMonth: MonthCost;
  readonly lastMonth: MonthCost;
  /** The current month as a whole: operations so far × daysInMonth / daysElapsed, storage at its latest size all month. */
  readonly projection: CostProjection;
  readonly comparison: SeedComparison;
  readonly cdnNote: string;
}

export function storageGb(run: RunRecord & { storage: StorageFigures }): StorageGb {
  const { images, archive, records } = run.storage;
  return {
    images: images.bytes / BYTES_PER_GB, archive: archive.bytes / BYTES_PER_GB, records: records.bytes / BYTES_PER_GB,
    total: (images.bytes + archive.bytes + records.bytes) / BYTES_PER_GB, imageCount: images.count, measuredAt: run.time, run: run.id,
  };
}

/** The newest storage measurement made before `before`, or null. */
export function latestStorage(runs: readonly RunRecord[], before: Date): StorageGb | null {
  let newest: (RunRecord & { storage: StorageFigures }) | undefined;
  for (const run of runs) {
    if (!run.storage || Date.parse(run.time) >= before.getTime()) continue;
    if (!newest || run.time > newest.time) newest = run as RunRecord & { storage: StorageFigures };
  }
  return newest ? storageGb(newest) : null;
}

/** The runs of one environment (null: builds, which target none) up to `now`. */
export function runsOf(runs: readonly RunRecord[], environment: string | null, now: Date): RunRecord[] {
  return runs.filter((r) => r.environment === environment && Date.parse(r.time) <= now.getTime());
}

/** Operations summed over runs, added to `start`. */
export function operationsOf(runs: readonly RunRecord[], start: Operations = { classA: 0, classB: 0, free: 0 }): Operations {
  return runs.reduce((sum, r) => ({
    classA: sum.classA + r.requests.classA, classB: sum.classB + r.requests.classB, free: sum.free + r.requests.free,
  }), start);
}

function priced(month: string, runs: number, operations: Operations, storage: StorageGb | null, share: number): MonthCost {
  const gbMonths = (storage?.total ?? 0) * share;
  const usage = { classA: operations.classA, classB: operations.classB, gbMonths };
  return { month, runs, operations, storage, gbMonths, list: listPrice(usage), bill: billAfterAllowance(usage) };
}

/**
 * The cost of each month of one environment's history, this month projected, and the seed's estimate beside it.
 * `dropped`: by month, the requests of runs a month rollup folded into totals past its cap (they are the
 * bucket's, whatever the environment: a rollup keeps no environment for them).
 */
export function costModel(input: {
  runs: readonly RunRecord[]; environment: string | null; now: Date; dropped?: ReadonlyMap<string, { readonly requests: Operations }>;
}): CostModel {
  const { environment, now } = input;
  const runs = runsOf(input.runs, environment, now);
  const progress = monthProgress(now);
  const current = progress.month;
  const oldest = runs.reduce((min, r) => (monthOf(r.time) < min ? monthOf(r.time) : min), previousMonth(current));
  const months = monthsFrom(oldest, current).map((month) => {
    const inMonth = runs.filter((r) => monthOf(r.time) === month);
    const isCurrent = month === current;
    const storage = latestStorage(runs, isCurrent ? new Date(now.getTime() + 1) : nextMonthStart(month));
    const operations = operationsOf(inMonth, input.dropped?.get(month)?.requests);
    // The current month so far is charged for the share of it that has passed; a past month for all of it.
    return priced(month, inMonth.length, operations, storage, isCurrent ? progress.daysElapsed / progress.daysInMonth : 1);
  });
  const thisMonth = months[months.length - 1]!;
  const lastMonth = months[months.length - 2]!;
  const scaled: Operations = {
    classA: thisMonth.operations.classA * progress.factor,
    classB: thisMonth.operations.classB * progress.factor,
    free: thisMonth.operations.free * progress.factor,
  };
  const projection: CostProjection = { ...priced(current, thisMonth.runs, scaled, thisMonth.storage, 1), progress };
  return {
    environment, now: now.toISOString(), months, thisMonth, lastMonth, projection,
    comparison: seedComparison(months.slice(0, -1), projection), cdnNote: CDN_NOTE,
  };
}
