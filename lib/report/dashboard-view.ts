/** What `gulp report` draws: everything the HTML page shows, computed before it is rendered. */
import type { Alert, VerifyFigures } from '../history/types';

/** A series of [unix seconds, value]; null where the run had no figure. */
export type Point = readonly [number, number | null];

export interface ChartSeries {
  readonly label: string;
  readonly points: readonly Point[];
}

export interface Chart {
  /** Used as the element id (`chart-<id>`) and by the browser test. */
  readonly id: string;
  readonly title: string;
  /** How values are shown: a count, bytes, dollars or seconds. */
  readonly unit: 'count' | 'bytes' | 'usd' | 'seconds';
  /** Every series of a chart shares the x values of the first one. */
  readonly series: readonly ChartSeries[];
}

export type ChangeKind = 'new' | 'replaced' | 'deleted';

/** An image as a `data:` URI (a thumbnail), or why there is none. */
export type Thumbnail = { readonly src: string } | { readonly missing: string };

export interface ContactSheetItem {
  readonly key: string;
  readonly change: ChangeKind;
  readonly before?: Thumbnail;
  readonly after?: Thumbnail;
}

export interface ContactSheet {
  readonly release: string;
  readonly parent?: string;
  readonly time: string;
  readonly items: readonly ContactSheetItem[];
  /** Changes left off the sheet (it shows a bounded number). */
  readonly more: number;
}

export interface DashboardView {
  readonly title: string;
  readonly environment: string;
  readonly bucket: string;
  readonly generatedAt: string;
  /** How many runs the history holds (all charts are drawn from them). */
  readonly runs: number;
  readonly charts: readonly Chart[];
  readonly contactSheet?: ContactSheet;
  readonly alerts: readonly Alert[];
  readonly lastVerify?: { readonly run: string; readonly time: string; readonly ok: boolean; readonly findings: VerifyFigures };
  /** Plain sentences under the charts (e.g. that public reads through the CDN are not counted). */
  readonly notes: readonly string[];
}
