/** The charts as the page's script reads them: uPlot's column data (x values, then one column per series). */
import type { Chart } from './dashboard-view';

export interface ChartData {
  readonly id: string;
  readonly title: string;
  readonly unit: Chart['unit'];
  readonly labels: readonly string[];
  /** `[xs, ys1, ys2, …]`: every series on the first series' x values, null where it has none. */
  readonly data: readonly (readonly (number | null)[])[];
}

/** The number of x values a chart draws (its first series' points). */
export function chartPoints(chart: Chart): number {
  return chart.series[0]?.points.length ?? 0;
}

/** uPlot's columns for one chart; a later series' point at an x the first series lacks is left out. */
export function chartData(chart: Chart): ChartData {
  const xs = (chart.series[0]?.points ?? []).map(([x]) => x);
  const columns = chart.series.map((s) => {
    const byX = new Map(s.points.map(([x, y]) => [x, y]));
    return xs.map((x) => byX.get(x) ?? null);
  });
  return { id: chart.id, title: chart.title, unit: chart.unit, labels: chart.series.map((s) => s.label), data: [xs, ...columns] };
}
