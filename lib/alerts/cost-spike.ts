/**
 * cost-spike: the quantities that drive R2's bill (class A and class B operations, stored GB), this month
 * against the average of the previous months that had them, and the current run's class A requests against
 * earlier runs of the same command. Quantities, not dollars: under the free allowance the bill is $0.
 */
import { storageGb } from '../cost/cost-model';
import { monthOf, monthProgress } from '../cost/month-progress';
import type { Alert, AlertThresholds, RunRecord, StorageFigures } from '../history/types';
import { count, newest, percent } from './alert-text';

/** Runs that send fewer class A requests than this never raise a per-run spike (a 40-request sync after a 10-request one is not news). */
export const RUN_SPIKE_FLOOR = 1_000;
/** Before this many days of the month, a projection is mostly noise: only what is already over the limit counts. */
export const PROJECTION_MIN_DAYS = 7;

type Quantity = 'class A operations' | 'class B operations' | 'stored GB';

interface Judged {
  readonly quantity: Quantity;
  /** Months before this one with a figure for the quantity, by month. */
  readonly previous: readonly number[];
  readonly current: number | undefined;
  /** Operations are scaled to the whole month; a stored size is a level, judged as measured. */
  readonly scales: boolean;
}

const average = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function monthlyFigures(runs: readonly RunRecord[], month: string): Judged[] {
  const ops = new Map<string, { classA: number; classB: number }>();
  const stored = new Map<string, RunRecord & { storage: StorageFigures }>();
  for (const run of runs) {
    const m = monthOf(run.time);
    const sum = ops.get(m) ?? { classA: 0, classB: 0 };
    ops.set(m, { classA: sum.classA + run.requests.classA, classB: sum.classB + run.requests.classB });
    const held = stored.get(m);
    if (run.storage && (!held || run.time > held.time)) stored.set(m, run as RunRecord & { storage: StorageFigures });
  }
  // A month "has data" for a quantity when it had some: a month of zero class B reads would make any read a spike.
  const before = (values: Map<string, number>) => [...values].filter(([m, v]) => m < month && v > 0).map(([, v]) => v);
  const of = (pick: (s: { classA: number; classB: number }) => number) => new Map([...ops].map(([m, s]) => [m, pick(s)]));
  const gb = new Map([...stored].map(([m, run]) => [m, storageGb(run).total]));
  return [
    { quantity: 'class A operations', previous: before(of((s) => s.classA)), current: ops.get(month)?.classA, scales: true },
    { quantity: 'class B operations', previous: before(of((s) => s.classB)), current: ops.get(month)?.classB, scales: true },
    { quantity: 'stored GB', previous: before(gb), current: gb.get(month), scales: false },
  ];
}

const HINTS: Record<Quantity, string> = {
  'class A operations': 'see `gulp cost` for the runs behind it; a sync that rewrites every object (a new recipe or Cache-Control) sends one class A request per object',
  'class B operations': 'see `gulp cost` for the runs behind it; a deep verify reads every object (class B)',
  'stored GB': 'see `gulp cost`; if the archive is what grew, `gulp prune --keep <n>` removes versions older releases alone needed',
};

function show(quantity: Quantity, n: number): string {
  return quantity === 'stored GB' ? `${n.toFixed(3)} GB` : count(n);
}

/** This month's quantities over costSpikePercent % of the previous months' average (see PROJECTION_MIN_DAYS). */
export function monthlySpikes(runs: readonly RunRecord[], thresholds: AlertThresholds, environment: string | null, now: Date): Alert[] {
  const progress = monthProgress(now);
  const projecting = progress.daysElapsed >= PROJECTION_MIN_DAYS;
  const run = newest(runs, (r) => monthOf(r.time) === progress.month)?.id;
  const alerts: Alert[] = [];
  for (const { quantity, previous, current, scales } of monthlyFigures(runs, progress.month)) {
    if (previous.length === 0 || current === undefined) continue;
    const figure = scales && projecting ? current * progress.factor : current;
    const mean = average(previous);
    const limit = (mean * thresholds.costSpikePercent) / 100;
    if (!(figure > limit)) continue;
    const what = !scales ? 'this month' : projecting ? 'this month (projected)' : 'this month so far';
    alerts.push({
      kind: 'cost-spike', severity: 'warning', environment, run,
      message: `${quantity} ${what}: ${show(quantity, figure)}, over ${percent(thresholds.costSpikePercent)} of the previous ${previous.length} month(s)' average ${show(quantity, mean)} (limit ${show(quantity, limit)})`,
      hint: HINTS[quantity],
    });
  }
  return alerts;
}

/** The run's class A requests over costSpikePercent % of the average of earlier runs of its command and environment. */
export function runSpike(runs: readonly RunRecord[], run: RunRecord | undefined, thresholds: AlertThresholds): Alert[] {
  if (!run || run.requests.classA < RUN_SPIKE_FLOOR) return [];
  const earlier = runs.filter((r) => r.id !== run.id && r.command === run.command && r.environment === run.environment && r.time < run.time);
  if (earlier.length === 0) return [];
  const mean = average(earlier.map((r) => r.requests.classA));
  const limit = (mean * thresholds.costSpikePercent) / 100;
  if (!(run.requests.classA > limit)) return [];
  return [{
    kind: 'cost-spike', severity: 'warning', environment: run.environment, run: run.id,
    message: `class A requests of this ${run.command}: ${count(run.requests.classA)}, over ${percent(thresholds.costSpikePercent)} of the average ${count(mean)} of the ${earlier.length} earlier ${run.command} run(s) (limit ${count(limit)})`,
    hint: `the run's report lists its writes by kind; ${HINTS['class A operations']}`,
  }];
}
