/**
 * Keeps the history bounded: the batches (one per run) are folded into one object per month by a later
 * writing run, each month replaced only on the version it read (two runs rolling up at once: one wins,
 * the other leaves its batches for next time), and a batch is deleted only once every month it feeds
 * is written. Months older than `keepMonths` are deleted; a month keeps its newest `maxRunsPerMonth` runs
 * and folds the rest into its `dropped` totals, so the cost of those months still adds up.
 */
import { operationsOf } from '../cost/cost-model';
import { monthOf } from '../cost/month-progress';
import type { HistoryPlace } from './history-place';
import { readBatches, readMonth, sortRuns } from './read-history';
import type { MonthRollup, RunRecord } from './types';
import { isMonthFile } from './run-record-schema';

export interface RollUpLimits {
  readonly keepMonths: number;
  readonly maxRunsPerMonth: number;
}

export const DEFAULT_ROLL_UP: RollUpLimits = { keepMonths: 24, maxRunsPerMonth: 2000 };

export interface RollUpResult {
  readonly batches: number;
  readonly months: string[];
  /** Months another run replaced while this one merged: their batches are left for the next roll-up. */
  readonly conflicts: string[];
  readonly expired: string[];
  readonly skipped: string[];
}

/** `month` with `runs` merged in (by id), capped. Pure. */
export function mergeMonth(month: string, previous: MonthRollup | undefined, runs: readonly RunRecord[], maxRuns: number): MonthRollup {
  const byId = new Map((previous?.runs ?? []).map((r) => [r.id, r]));
  for (const run of runs) byId.set(run.id, run);
  const all = sortRuns([...byId.values()]);
  const cut = all.slice(0, Math.max(0, all.length - maxRuns));
  const base = previous?.dropped ?? { runs: 0, requests: { classA: 0, classB: 0, free: 0 }, costUsd: 0 };
  const dropped = {
    runs: base.runs + cut.length, requests: operationsOf(cut, base.requests), costUsd: cut.reduce((sum, r) => sum + r.costUsd, base.costUsd),
  };
  return { version: 1, month, runs: all.slice(cut.length), dropped };
}

export async function rollUpHistory(place: HistoryPlace, now: Date, limits: RollUpLimits = DEFAULT_ROLL_UP): Promise<RollUpResult> {
  const skipped: string[] = [];
  const batches = await readBatches(place, 'runs', skipped);
  const runsByMonth = new Map<string, RunRecord[]>();
  for (const batch of batches.values()) for (const run of batch.runs) {
    const list = runsByMonth.get(monthOf(run.time)) ?? [];
    list.push(run);
    runsByMonth.set(monthOf(run.time), list);
  }
  const oldest = keptFrom(now, limits.keepMonths);
  const written = new Set<string>();
  const conflicts: string[] = [];
  for (const [month, runs] of runsByMonth) {
    if (month < oldest) { written.add(month); continue; } // past the window: dropped with its batches
    const previous = await readMonth(place, `${month}.json`, skipped);
    const merged = mergeMonth(month, previous?.value, runs, limits.maxRunsPerMonth);
    const ok = await place.write('months', `${month}.json`, merged, previous ? { tag: previous.tag } : 'absent');
    if (ok) written.add(month);
    else conflicts.push(month);
  }
  const done = [...batches].filter(([, b]) => b.runs.every((r) => written.has(monthOf(r.time)))).map(([name]) => name);
  await place.remove('runs', done);
  // Only names of our own making: anything else under months/ is not ours to delete.
  const expired = (await place.names('months')).filter((name) => isMonthFile(name) && name.slice(0, 7) < oldest);
  await place.remove('months', expired);
  return { batches: done.length, months: [...written].filter((m) => m >= oldest).sort(), conflicts, expired, skipped };
}

/** The first month kept: `keepMonths` months including the current one. */
function keptFrom(now: Date, keepMonths: number): string {
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (keepMonths - 1), 1));
  return first.toISOString().slice(0, 7);
}
