/** Everything `gulp report` shows, gathered: the history's charts, the latest release's changes, alerts, the last verify. */
import { CDN_NOTE } from '../cost/cost-model';
import type { Alert, RunRecord, StorageFigures } from '../history/types';
import type { ObjectStore } from '../storage/object-store';
import { formatBytes } from '../util/progress';
import { contactSheet, type MakeThumbnail } from './contact-sheet';
import { dashboardCharts, type MonthCost } from './dashboard-charts';
import type { DashboardView } from './dashboard-view';

export interface DashboardInput {
  readonly store: ObjectStore;
  readonly environment: string;
  readonly bucket: string;
  /** The environment's runs and the builds, oldest first, this report's own run last. */
  readonly runs: readonly RunRecord[];
  readonly storage: StorageFigures;
  readonly months: readonly MonthCost[];
  readonly alerts: readonly Alert[];
  readonly makeThumbnail: MakeThumbnail;
  readonly now: Date;
}

export async function makeDashboardView(input: DashboardInput): Promise<DashboardView> {
  const { runs, storage } = input;
  const verify = [...runs].reverse().find((r) => r.command === 'verify' && r.verify && r.environment === input.environment);
  const first = runs[0];
  return {
    title: 'russ.fm images', environment: input.environment, bucket: input.bucket, generatedAt: input.now.toISOString(), runs: runs.length,
    charts: dashboardCharts(runs, input.months),
    contactSheet: await contactSheet(input.store, input.makeThumbnail),
    alerts: input.alerts,
    lastVerify: verify?.verify && { run: verify.id, time: verify.time, ok: verify.ok, findings: verify.verify },
    notes: [
      `Storage now: images ${formatBytes(storage.images.bytes)} in ${storage.images.count} object(s), archive ${formatBytes(storage.archive.bytes)} `
        + `in ${storage.archive.count}, the tool's other records ${formatBytes(storage.records.bytes)} in ${storage.records.count}.`,
      first ? `History: ${runs.length} run(s) since ${first.time.slice(0, 10)} (builds, and ${input.environment}'s commands).` : 'History: no runs yet.',
      CDN_NOTE,
    ],
  };
}
