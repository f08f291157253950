import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { HISTORY_PREFIX } from '../lib/validate/object-key';
import type { ObjectStore } from '../lib/storage/object-store';
import { printReport, withBucket } from './bucket-session';
import { flagHelp, flagsFor } from './flag-tables';
import { runTask } from './outside-domain';
import { reportsDir } from './reports-dir';
import { alertThresholds, deliver, historyAndStorage } from './run-history';

/** `gulp report`: the run history as one self-contained HTML dashboard, with the open alerts and the cost. */
export function report(): Promise<void> {
  return runTask(runReportTask);
}

/** Alerts only the whole history shows; a run's own (a failed build, failed writes, a slow CDN) were delivered by that run. */
const HISTORY_ALERTS = new Set(['cost-spike', 'archive-growth']);

async function runReportTask(): Promise<void> {
  const flags = flagsFor('report');
  const dir = reportsDir(flags) ?? 'reports';
  await withBucket(flags, async (session) => {
    const { env, opened } = session;
    const { evaluateAlerts } = require('../lib/alerts/evaluate-alerts') as typeof import('../lib/alerts/evaluate-alerts');
    const { costModel } = require('../lib/cost/cost-model') as typeof import('../lib/cost/cost-model');
    const { makeDashboardView } = require('../lib/report/make-dashboard') as typeof import('../lib/report/make-dashboard');
    const { renderDashboard } = require('../lib/report/render-dashboard') as typeof import('../lib/report/render-dashboard');
    const { thumbnailDataUri } = require('../lib/images/sharp-adapter') as typeof import('../lib/images/sharp-adapter');
    const now = new Date();
    // This run is part of what it reports: its storage measurement is the newest point.
    const { runs, storage, dropped } = await historyAndStorage(session, dir, now);
    const cost = costModel({ runs, dropped, environment: env.name, now });
    const alerts = evaluateAlerts({ runs, thresholds: alertThresholds(), environment: env.name, now });
    const view = await makeDashboardView({
      store: opened.store, environment: env.name, bucket: env.bucket, runs, storage, alerts, now,
      months: cost.months.map((m) => ({ month: m.month, listUsd: m.list.total, billUsd: m.bill.total })),
      makeThumbnail: thumbnailDataUri,
    });
    const html = renderDashboard(view);
    const out = flags.out ?? join(dir, `dashboard-${env.name}.html`);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, html);
    // Kept beside the (private) records too, so the last dashboard survives the CI runner.
    if (env.store) await keepBesideRecords(opened.store, `${HISTORY_PREFIX}dashboard-${env.name}.html`, html);
    await deliver(alerts.filter((a) => HISTORY_ALERTS.has(a.kind)));
    const summary = process.env.GITHUB_STEP_SUMMARY;
    if (summary) {
      const { appendFile } = require('node:fs/promises') as typeof import('node:fs/promises');
      // The summary is a courtesy: a path that cannot be written is a warning, as for the alerts.
      await appendFile(summary, `### Dashboard (${env.name})\n\n${runs.length} run(s) in the history, ${alerts.length} open alert(s). `
        + `The page is \`${out}\` in this run's \`reports\` artifact (self-contained: open it offline).\n\n`)
        .catch((error: unknown) => process.stderr.write(`warning: the step summary (GITHUB_STEP_SUMMARY) could not be written: ${(error as NodeJS.ErrnoException).code ?? 'error'}\n`));
    }
    const lines = [
      `dashboard: ${out} (${runs.length} run(s), ${view.charts.length} charts, ${view.contactSheet?.items.length ?? 0} change(s) on the contact sheet)`,
      // The history's own alerts were just printed by their delivery; the others were delivered by the runs that raised them.
      ...alerts.filter((a) => !HISTORY_ALERTS.has(a.kind)).map((a) => `alert (still open): ${a.message}${a.hint ? ` → ${a.hint}` : ''}`),
      alerts.length === 0 ? 'no open alerts' : `${alerts.length} open alert(s)`,
    ];
    printReport(flags, { environment: env.name, bucket: env.bucket, dashboard: out, runs: runs.length, alerts, storage, cost: { thisMonth: cost.thisMonth, projection: cost.projection } }, undefined, lines.join('\n'));
  }, { command: 'report', dir });
}

/** The page as a private object beside the records (never served: the records' bucket or prefix is not public). */
async function keepBesideRecords(store: ObjectStore, key: string, html: string): Promise<void> {
  const { digestsOf } = require('../lib/util/hash') as typeof import('../lib/util/hash');
  const body = Buffer.from(html);
  try {
    await store.put({ key, body, md5: digestsOf(body).md5, contentType: 'text/html; charset=utf-8', cacheControl: 'private, no-store', metadata: {} });
  } catch (error) {
    const { messageOf } = require('../lib/errors') as typeof import('../lib/errors');
    process.stderr.write(`warning: the dashboard was not kept beside the records (${messageOf(error)}); the local file is complete\n`);
  }
}

report.description = 'Write the run history as one self-contained HTML dashboard (charts over time, the latest release\'s changes as thumbnails, open alerts, the last verify); a remote environment keeps a copy beside its records';
report.flags = flagHelp('report');
