/** The dashboard's charts, from the run history (pure): one point per run that has the figure, or per month. */
import { monthStart } from '../cost/month-progress';
import type { RunRecord } from '../history/types';
import type { Chart, ChartSeries, Point } from './dashboard-view';

export interface MonthCost {
  /** `YYYY-MM`. */
  readonly month: string;
  readonly listUsd: number;
  readonly billUsd: number;
}

// Milliseconds kept: a build and the sync after it often start within the same second.
const seconds = (time: string) => Date.parse(time) / 1000;

/**
 * Series over the runs each one picks (a value, or undefined to skip the run), aligned on the union of
 * their times (uPlot draws every series of a chart on the first one's x values); null where a series has none.
 */
export function alignedSeries(runs: readonly RunRecord[], pickers: readonly { label: string; pick: (run: RunRecord) => number | undefined }[]): ChartSeries[] {
  const times = [...new Set(runs.filter((r) => pickers.some((p) => p.pick(r) !== undefined)).map((r) => seconds(r.time)))].sort((a, b) => a - b);
  return pickers.map(({ label, pick }) => {
    const at = new Map<number, number>();
    for (const run of runs) {
      const value = pick(run);
      if (value !== undefined) at.set(seconds(run.time), value);
    }
    return { label, points: times.map((t): Point => [t, at.get(t) ?? null]) };
  });
}

/** Runs of `environment`, and the builds (which have none): the history one dashboard draws. */
export function dashboardRuns(runs: readonly RunRecord[], environment: string): RunRecord[] {
  return runs.filter((r) => r.environment === environment || r.environment === null);
}

export function dashboardCharts(runs: readonly RunRecord[], months: readonly MonthCost[]): Chart[] {
  return [
    { id: 'collection', title: 'Collection size (images in the build)', unit: 'count', series: alignedSeries(runs, [
      { label: 'images', pick: (r) => (r.ok ? r.objects?.count : undefined) },
    ]) },
    { id: 'bucket-bytes', title: 'Bucket storage (measured by gulp report / gulp cost)', unit: 'bytes', series: alignedSeries(runs, [
      { label: 'images', pick: (r) => r.storage?.images.bytes },
      { label: 'archive', pick: (r) => r.storage?.archive.bytes },
    ]) },
    { id: 'monthly-cost', title: 'Monthly cost (S3 API operations and storage; CDN reads not counted)', unit: 'usd', series: [
      { label: 'list price', points: months.map((m): Point => [monthStart(m.month).getTime() / 1000, m.listUsd]) },
      { label: 'bill after free allowance', points: months.map((m): Point => [monthStart(m.month).getTime() / 1000, m.billUsd]) },
    ] },
    { id: 'durations', title: 'Build and sync durations', unit: 'seconds', series: alignedSeries(runs, [
      { label: 'build', pick: (r) => (r.command === 'build' ? r.durationMs / 1000 : undefined) },
      { label: 'sync', pick: (r) => (r.command === 'sync' ? r.durationMs / 1000 : undefined) },
    ]) },
    { id: 'failures', title: 'Failures per run', unit: 'count', series: alignedSeries(runs, [
      { label: 'failed writes', pick: (r) => r.writes?.failed },
      { label: 'failed sources', pick: (r) => r.sources?.failed },
      { label: 'failed runs', pick: (r) => (r.ok ? 0 : 1) },
    ]) },
  ];
}
