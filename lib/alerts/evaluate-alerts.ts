/**
 * What a run (or the history) should alert on, with the seed's thresholds (assets.config.ts `alerts`).
 * Pure: the caller delivers the alerts (deliver-alerts.ts). Each alert names its figures, the threshold,
 * the next step and the run.
 */
import { runsOf } from '../cost/cost-model';
import type { Alert, AlertThresholds, RunRecord } from '../history/types';
import { count, newest, percent } from './alert-text';
import { archiveGrowth } from './archive-growth';
import { monthlySpikes, runSpike } from './cost-spike';

export interface AlertInput {
  /** The history, all environments mixed. */
  readonly runs: readonly RunRecord[];
  /** The run just finished (it may not be in `runs` yet); without it, the newest runs of the history are judged. */
  readonly current?: RunRecord;
  readonly thresholds: AlertThresholds;
  readonly environment: string | null;
  readonly now: Date;
}

function buildFailure(runs: readonly RunRecord[], current: RunRecord | undefined): Alert[] {
  const run = current ?? newest(runs, (r) => r.command === 'build');
  if (!run || run.command !== 'build' || run.ok) return [];
  const why = run.error ? `${run.error.code}: ${run.error.message}` : 'no error recorded';
  return [{
    kind: 'build-failure', severity: 'error', environment: run.environment, run: run.id,
    message: `build ${run.id} failed (${why})`,
    // A setting or flag the build could not use is not a source to fix.
    hint: run.error && /^E_(CONFIG|USAGE)$/.test(run.error.code)
      ? 'fix the setting or flag the error names, then run `gulp build` again; nothing was published from this build'
      : 'fix the sources the build report names, then run `gulp build` again; nothing was published from this build',
  }];
}

function failedWrites(runs: readonly RunRecord[], current: RunRecord | undefined, thresholds: AlertThresholds): Alert[] {
  const run = current?.writes ? current : current ? undefined : newest(runs, (r) => (r.writes?.attempted ?? 0) > 0);
  if (!run?.writes || run.writes.attempted === 0) return [];
  const share = (run.writes.failed / run.writes.attempted) * 100;
  if (!(share > thresholds.failedWritesPercent)) return [];
  return [{
    kind: 'failed-writes', severity: 'error', environment: run.environment, run: run.id,
    message: `${run.command} ${run.id}: ${count(run.writes.failed)} of ${count(run.writes.attempted)} writes failed (${percent(share)}, over ${percent(thresholds.failedWritesPercent)})`,
    hint: `run \`gulp ${run.command}\` again (it resumes from what is already there), then \`gulp verify\`; the run's report lists each failure`,
  }];
}

function cdnSlow(runs: readonly RunRecord[], current: RunRecord | undefined, thresholds: AlertThresholds): Alert[] {
  const run = current ? (current.command === 'verify' ? current : undefined) : newest(runs, (r) => r.command === 'verify' && r.publicLatency !== undefined);
  const latency = run?.publicLatency;
  if (!run || !latency || !(latency.p95Ms > thresholds.slowP95Ms)) return [];
  return [{
    kind: 'cdn-slow', severity: 'warning', environment: run.environment, run: run.id,
    message: `public answers took ${count(latency.p95Ms)} ms at p95 (over ${count(thresholds.slowP95Ms)} ms; p50 ${count(latency.p50Ms)} ms, max ${count(latency.maxMs)} ms, ${count(latency.count)} requests)`,
    hint: 'check the Cache-Control the objects carry and the zone\'s cache rules (`gulp verify --public` again once the cache is warm)',
  }];
}

/** Every alert the history and the current run raise, errors first. */
export function evaluateAlerts(input: AlertInput): Alert[] {
  const { thresholds, environment, now } = input;
  const mine = runsOf(input.runs, environment, now);
  const current = input.current;
  // The current run may already be in the history: judged once, as itself.
  const withCurrent = current && !mine.some((r) => r.id === current.id) && current.environment === environment ? [...mine, current] : mine;
  const alerts = [
    ...buildFailure(input.runs, current),
    ...failedWrites(mine, current, thresholds),
    ...monthlySpikes(withCurrent, thresholds, environment, now),
    ...runSpike(withCurrent, current ?? newest(mine), thresholds),
    ...cdnSlow(mine, current, thresholds),
    ...archiveGrowth(withCurrent, thresholds, environment, now),
  ];
  return [...alerts.filter((a) => a.severity === 'error'), ...alerts.filter((a) => a.severity === 'warning')];
}
