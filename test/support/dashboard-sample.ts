/** A realistic dashboard view (12 runs, a quarter of monthly cost, a release's contact sheet) for the report's tests. */
import { readFile } from 'node:fs/promises';
import { thumbnailDataUri } from '../../lib/images/sharp-adapter';
import type { Chart, DashboardView, Point } from '../../lib/report/dashboard-view';
import { PHOTO } from '../helpers/paths';

export const HOSTILE_KEY = 'album/<img src=x onerror=alert(1)>/x-medium.jpg';
const DAY = 86_400;
const START = Date.UTC(2026, 10, 20, 6) / 1000;
const GB = 1024 ** 3;

function daily(values: readonly (number | null)[]): Point[] {
  return values.map((v, i) => [START + i * DAY, v] as const);
}

/** The charts of 12 runs, a monthly cost of 3 months, and one chart with no data. */
export function sampleCharts(): Chart[] {
  const images = [3.1, 3.1, 3.2, 3.25, 3.3, 3.3, 3.42, 3.5, 3.5, 3.61, 3.7, 3.72].map((g) => g * GB);
  const archive = [0.2, 0.21, 0.25, 0.27, 0.3, 0.3, 0.36, 0.41, 0.41, 0.47, 0.52, 0.53].map((g) => g * GB);
  const months = [Date.UTC(2026, 8, 1), Date.UTC(2026, 9, 1), Date.UTC(2026, 10, 1)].map((t) => t / 1000);
  return [
    { id: 'storage', title: 'Stored bytes', unit: 'bytes', series: [{ label: 'images', points: daily(images) }, { label: 'archive', points: daily(archive) }] },
    { id: 'requests', title: 'Requests per run', unit: 'count', series: [
      { label: 'class A', points: daily([412, 38, 1250, 96, 140, 12, 880, 230, 17, 640, 75, 310]) },
      { label: 'class B', points: daily([30_120, 29_870, 31_004, 30_550, 30_980, 30_010, 32_400, 31_900, 31_200, 33_050, 32_780, 33_400]) },
    ] },
    { id: 'duration', title: 'Run duration', unit: 'seconds', series: [
      { label: 'build', points: daily([92, 41, 310, 55, 64, null, 240, 88, 39, 201, 47, 73]) },
      { label: 'sync', points: daily([18, 6, 44, 9, 12, 4, 37, 15, 5, 29, 8, 14]) },
    ] },
    { id: 'monthly-cost', title: 'Monthly cost (list price)', unit: 'usd', series: [{ label: 'cost', points: months.map((t, i) => [t, [0.42, 0.57, 0.49][i] ?? null] as const) }] },
    { id: 'cdn-p95', title: 'Public read latency (p95)', unit: 'seconds', series: [{ label: 'p95', points: [] }] },
  ];
}

const thumb = async (photo: string): Promise<{ src: string }> => ({ src: await thumbnailDataUri(await readFile(photo)) });

/** The whole view; its thumbnails are made from the repo's real photos. */
export async function sampleDashboardView(): Promise<DashboardView> {
  const [bee, bridge, citrus] = await Promise.all([thumb(PHOTO.bee), thumb(PHOTO.bridge), thumb(PHOTO.landscape)]);
  return {
    title: 'russ.fm images', environment: 'production', bucket: 'russfm-images', generatedAt: '2026-12-01T09:30:00Z', runs: 12,
    charts: sampleCharts(),
    contactSheet: {
      release: '2026-12-01T08-12-44Z-3f9a1c2e', parent: '2026-11-30T07-58-02Z-a41b77d0', time: '2026-12-01T08:12:44Z', more: 37,
      items: [
        { key: 'album/the-beatles-abbey-road/the-beatles-abbey-road-medium.jpg', change: 'new', after: bee },
        { key: 'artist/talking-heads/talking-heads-medium.jpg', change: 'replaced', before: citrus, after: bridge },
        { key: 'album/kraftwerk-autobahn/kraftwerk-autobahn-medium.jpg', change: 'replaced', before: { missing: 'archived copy pruned' }, after: citrus },
        { key: 'album/old-single/old-single-medium.jpg', change: 'deleted', before: bridge },
      ],
    },
    alerts: [
      { kind: 'cost-spike', severity: 'warning', environment: 'production', message: 'Class A operations this month: 41,200 (212% of the previous months\' average 19,400)',
        hint: 'Look at the builds that re-rendered everything (a changed preset?)' },
      { kind: 'failed-writes', severity: 'error', environment: 'production', run: '2026-12-01T08-12-44Z-sync-3f9a1c2e',
        message: '14 of 180 writes failed (7.8%, over 5%)', hint: 'Run `gulp sync --env production` again; it retries only what is missing' },
    ],
    lastVerify: { run: '2026-12-01T09-02-10Z-verify-77c0d2aa', time: '2026-12-01T09:02:10Z', ok: false, findings: {
      problems: 3, byClass: { missing: 1, corrupt: 2 },
      examples: [{ key: HOSTILE_KEY, problem: 'missing' }, { key: 'album/abba-gold/abba-gold-small.jpg', problem: 'corrupt: sha256 differs' }],
    } },
    notes: [
      'Public reads through the CDN are not counted: only requests this tool sent are.',
      'Costs are at R2\'s list price, before the free allowance.',
    ],
  };
}

/** The number of `<img>`s a view's contact sheet should show: every thumbnail with a src. */
export function thumbnailsWithSrc(view: DashboardView): number {
  return (view.contactSheet?.items ?? []).flatMap((i) => [i.before, i.after]).filter((t) => t !== undefined && 'src' in t).length;
}

/** The header and charts of the sample, without thumbnails (no sharp needed). */
export function baseDashboardView(): DashboardView {
  return { title: 'russ.fm images', environment: 'production', bucket: 'russfm-images', generatedAt: '2026-12-01T09:30:00Z', runs: 12,
    charts: sampleCharts(), alerts: [], notes: [] };
}

/** A bucket with no runs yet: every chart is empty. */
export function emptyDashboardView(): DashboardView {
  const charts = sampleCharts().map((c) => ({ ...c, series: c.series.map((s) => ({ ...s, points: [] })) }));
  return { ...baseDashboardView(), runs: 0, charts };
}

/** Every string a bucket (or a record read back from it) could make hostile, hostile. */
export function hostileDashboardView(): DashboardView {
  return {
    ...baseDashboardView(),
    title: '<script>alert("title")</script>', bucket: '"><svg onload=alert(2)>', environment: "prod' onclick='alert(3)",
    charts: [{ id: 'x"><script>alert(4)</script>', title: '</script><script>alert(5)</script>', unit: 'count',
      series: [{ label: '</SCRIPT><!--<script>', points: [[START, 2], [START + DAY, 5]] }] }],
    alerts: [{ kind: 'cost-spike', severity: 'warning', environment: null, message: '<b onmouseover=alert(6)>hi</b>', hint: '&amp; stays text' }],
    contactSheet: { release: '<r>', time: 't', more: 2, items: [
      { key: HOSTILE_KEY, change: 'new', after: { src: 'javascript:alert(7)' } },
      { key: 'a"b', change: 'deleted', before: { missing: '<i>gone</i>' } },
    ] },
    lastVerify: { run: 'r', time: 't', ok: false, findings: { problems: 1, byClass: { '<cls>': 1 }, examples: [{ key: HOSTILE_KEY, problem: '<p id=evil>' }] } },
    notes: ['</main><script>alert(8)</script>'],
  };
}
