/**
 * The run history around a task: a tracker started with the command, the record written when it ends
 * (failed or not, Ctrl-C included) — to the bucket's `_history/` for a remote environment, to the folder
 * beside the reports for development, or, for a build, kept locally until the next sync carries it up.
 * A dry run writes nothing anywhere, so it has no record. Losing a record never fails a command: it is said.
 */
import { join } from 'node:path';
import { secretValues } from '../lib/config/environment';
import { AssetsError, messageOf } from '../lib/errors';
import type { HistoryPlace } from '../lib/history/history-place';
import type { RunTracker } from '../lib/history/run-tracker';
import type { Alert, AlertThresholds, HistoryCommand, RunRecord, StorageFigures } from '../lib/history/types';
import type { BucketSession } from './bucket-session';
import type { ObjectStore } from '../lib/storage/object-store';
import type { HistoryRead } from '../lib/history/read-history';
import { printable } from '../lib/util/printable';
import { within } from '../lib/util/within';

export interface HistoryTarget {
  readonly command: HistoryCommand;
  /** The reports folder (history in `<dir>/history`); undefined for a dry run: no record. */
  readonly dir: string | undefined;
}

/** Where the record goes: the bucket's records for a remote environment, else the local folder. */
export interface HistoryWhere {
  readonly environment: string | null;
  readonly store?: ObjectStore;
}

export const historyFolder = (dir: string): string => join(dir, 'history');

/** A tracker for the run, or none when it writes no record (a dry run, or no history asked for). */
export function startRun(target: HistoryTarget | undefined, environment: string | null): RunTracker | undefined {
  if (target?.dir === undefined) return undefined;
  const { RunTracker } = require('../lib/history/run-tracker') as typeof import('../lib/history/run-tracker');
  return new RunTracker(target.command, environment);
}

/** Runs `work` and, with a tracker, records the run however it ends (into `dir`'s history, or the bucket's). */
export async function recorded<T>(tracker: RunTracker | undefined, dir: string | undefined, where: HistoryWhere, work: () => Promise<T>): Promise<T> {
  if (!tracker || dir === undefined) return work();
  let failure: unknown;
  try {
    return await work();
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    await saveRun(tracker, dir, where, failure);
  }
}

async function saveRun(tracker: RunTracker, dir: string, where: HistoryWhere, failure: unknown): Promise<void> {
  const { scrub } = require('../lib/util/run-report') as typeof import('../lib/util/run-report');
  const { folderHistory } = require('../lib/history/history-place') as typeof import('../lib/history/history-place');
  const { keepPending, recordRun } = require('../lib/history/record-run') as typeof import('../lib/history/record-run');
  const secrets = secretValues();
  const error = failure === undefined ? undefined
    // Printable as the record's schema wants it: a newline in a message would make the record unreadable.
    : { code: failure instanceof AssetsError ? failure.code : 'E_UNEXPECTED', message: printable(scrub(messageOf(failure), secrets)).slice(0, 2000) };
  const local = folderHistory(historyFolder(dir));
  // Only a record that goes to the bucket costs a PUT there (development's is a local file).
  const record = tracker.finish({ ok: !error, error }, new Date(), tracker.command !== 'build' && where.store !== undefined);
  try {
    // Advice, not the command's work: a store that stalls on it cannot hold the command.
    await within(HISTORY_WRITE_MS, 'writing the run history', (async () => {
      if (tracker.command === 'build') {
        await keepPending(local, record);
        return;
      }
      const place = historyPlace(where, dir);
      const recorded = await recordRun(place, record, local);
      warnSkipped(recorded.skipped);
      // A folder is listed for free, so it is kept rolled up always; the bucket by runs that spend requests anyway.
      if (rollsUp(record) || !where.store) await rollUp(place);
    })());
  } catch (caught) {
    process.stderr.write(`warning: the run history was not updated (${scrub(messageOf(caught), secrets)}); the command's own outcome stands\n`);
  }
  await alertNow(record);
}

/** Where `where`'s history is read and written: the bucket's records for a remote environment, else the folder. */
export function historyPlace(where: HistoryWhere, dir: string): HistoryPlace {
  const { bucketHistory, folderHistory } = require('../lib/history/history-place') as typeof import('../lib/history/history-place');
  return where.store ? bucketHistory(where.store) : folderHistory(historyFolder(dir));
}

/** The alerts a run raises by itself (a failed build, failed writes, a slow CDN), delivered at once: the seed's "immediate". */
async function alertNow(record: RunRecord): Promise<void> {
  const { evaluateAlerts } = require('../lib/alerts/evaluate-alerts') as typeof import('../lib/alerts/evaluate-alerts');
  const alerts = evaluateAlerts({ runs: [], current: record, thresholds: alertThresholds(), environment: record.environment, now: new Date() });
  await deliver(alerts);
}

/** assets.config.ts's thresholds; the seed's when the config itself is what failed to load. */
export function alertThresholds(): AlertThresholds {
  try {
    const { loadAssetsConfig } = require('../lib/config/load-assets-config') as typeof import('../lib/config/load-assets-config');
    return loadAssetsConfig().alerts;
  } catch {
    const { DEFAULT_ALERT_THRESHOLDS } = require('../lib/history/types') as typeof import('../lib/history/types');
    return DEFAULT_ALERT_THRESHOLDS;
  }
}

/** Lines on stderr, GitHub annotations and step summary in Actions, and ALERT_WEBHOOK_URL when set. */
export async function deliver(alerts: readonly Alert[]): Promise<void> {
  if (alerts.length === 0) return;
  const { deliverAlerts } = require('../lib/alerts/deliver-alerts') as typeof import('../lib/alerts/deliver-alerts');
  await deliverAlerts(alerts, { env: process.env, write: (line) => process.stderr.write(line.endsWith('\n') ? line : `${line}\n`), secrets: secretValues() });
}

/** The history of a run is advice: its write may take this long (a stalled store), then the command goes on without it. */
const HISTORY_WRITE_MS = 60_000;
/** report and cost are the history: reading it (and listing the bucket) may take this long, then they fail saying so. */
const HISTORY_READ_MS = 10 * 60_000;

/** Objects that are not history of ours, named on stderr (already printable). */
function warnSkipped(lines: readonly string[]): void {
  for (const line of lines) process.stderr.write(`warning: run history: skipped ${line}\n`);
}

/** A run that changed the bucket (or reported on it) folds the batches into months: it has spent requests anyway. */
function rollsUp(record: RunRecord): boolean {
  return record.release !== undefined || record.command === 'prune' || record.command === 'report' || record.command === 'cost'
    || (record.writes?.attempted ?? 0) > 0;
}

async function rollUp(place: HistoryPlace): Promise<void> {
  const { rollUpHistory } = require('../lib/history/roll-up') as typeof import('../lib/history/roll-up');
  warnSkipped((await rollUpHistory(place, new Date())).skipped);
}

/**
 * What `gulp report` and `gulp cost` start from: the environment's history (and the builds), and a full
 * listing of the bucket noted on this run, which counts as the newest run (its storage is the latest point).
 */
export async function historyAndStorage(session: BucketSession, dir: string, now: Date): Promise<{
  runs: RunRecord[]; storage: StorageFigures; dropped: HistoryRead['dropped'];
}> {
  const { readHistory, sortRuns } = require('../lib/history/read-history') as typeof import('../lib/history/read-history');
  const { measureStorage } = require('../lib/history/measure-storage') as typeof import('../lib/history/measure-storage');
  const { dashboardRuns } = require('../lib/report/dashboard-charts') as typeof import('../lib/report/dashboard-charts');
  const { env, opened, history } = session;
  const where = { environment: env.name, store: env.store ? opened.store : undefined };
  const [read, storage] = await within(HISTORY_READ_MS, 'reading the run history and listing the bucket',
    Promise.all([readHistory(historyPlace(where, dir)), measureStorage(opened.store)]));
  // Builds still waiting to be carried up (this run carries them after it reports): a failed build is news now.
  const { folderHistory } = require('../lib/history/history-place') as typeof import('../lib/history/history-place');
  const { readBatches } = require('../lib/history/read-history') as typeof import('../lib/history/read-history');
  const waiting = [...(await readBatches(folderHistory(historyFolder(dir)), 'pending', read.skipped)).values()].flatMap((b) => b.runs);
  warnSkipped(read.skipped);
  history?.note({ storage });
  const current = history?.finish({ ok: true }, now, false);
  const known = new Set(read.runs.map((r) => r.id));
  const runs = [...read.runs, ...waiting.filter((r) => !known.has(r.id)), ...(current ? [current] : [])];
  return { runs: dashboardRuns(sortRuns(runs), env.name), storage, dropped: read.dropped };
}
