/**
 * The run history at scale: N runs (default 20,000: a deploy and a verify every hour for most of a year)
 * recorded into a folder, rolled up, read back, priced and drawn as the dashboard.
 *   node --require esbuild-register bench/history-bench.ts [runs]
 */
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { costModel } from '../lib/cost/cost-model';
import { folderHistory } from '../lib/history/history-place';
import { readHistory } from '../lib/history/read-history';
import { recordRun } from '../lib/history/record-run';
import { rollUpHistory } from '../lib/history/roll-up';
import { RunTracker } from '../lib/history/run-tracker';
import { dashboardCharts } from '../lib/report/dashboard-charts';
import { renderDashboard } from '../lib/report/render-dashboard';

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 20_000);
  const dir = mkdtempSync(join(tmpdir(), 'history-bench-'));
  const now = Date.UTC(2026, 11, 3);
  const place = folderHistory(dir);
  const t0 = performance.now();
  for (let i = 0; i < count; i += 1) {
    const tracker = new RunTracker(i % 2 ? 'verify' : 'sync', 'production', new Date(now - (count - i) * 1_800_000));
    for (let r = 0; r < 31; r += 1) tracker.meter.count('ListObjectsV2');
    tracker.note({ objects: { count: 30_000, bytes: 3e9, bySize: { medium: { count: 10_000, bytes: 1e9 } }, byType: { jpeg: { count: 30_000, bytes: 3e9 } } } });
    await recordRun(place, tracker.finish({ ok: true }, new Date(now), true));
    if (i % 2000 === 1999) await rollUpHistory(place, new Date(now - (count - i) * 1_800_000));
  }
  const t1 = performance.now();
  await rollUpHistory(place, new Date(now));
  const bytes = readdirSync(join(dir, 'months')).reduce((sum, f) => sum + statSync(join(dir, 'months', f)).size, 0);
  const t2 = performance.now();
  const { runs } = await readHistory(place);
  const model = costModel({ runs, environment: 'production', now: new Date(now) });
  const html = renderDashboard({ title: 't', environment: 'production', bucket: 'b', generatedAt: '', runs: runs.length, charts: dashboardCharts(runs, model.months.map((m) => ({ month: m.month, listUsd: m.list.total, billUsd: m.bill.total }))), alerts: [], notes: [] });
  const t3 = performance.now();
  process.stdout.write(`${count} runs recorded in ${((t1 - t0) / 1000).toFixed(1)} s; kept ${runs.length} in ${readdirSync(join(dir, 'months')).length} month object(s), ${(bytes / 1e6).toFixed(1)} MB; `
    + `read + priced + page drawn in ${((t3 - t2) / 1000).toFixed(2)} s (page ${(html.length / 1e6).toFixed(1)} MB); peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`);
  rmSync(dir, { recursive: true, force: true });
}

void main();
