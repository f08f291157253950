import { secretValues } from '../lib/config/environment';
import { loadAssetsConfig } from '../lib/config/load-assets-config';
import { InterruptedError, RunFailedError } from '../lib/errors';
import { parseMaxDelete, printReport, withBucket } from './bucket-session';
import { reportsDir } from './reports-dir';
import { flagHelp, flagsFor } from './flag-tables';
import { runTask } from './outside-domain';
import { pipelineHandoff } from './pipeline-handoff';
import { failIfUnpurged, purgeAfterChange, withPurgeLines, withPurgePreview } from './cdn-purge';

/** `gulp sync`: diff-sync dist/ to the bucket by content. */
export function sync(): Promise<void> {
  return runTask(runSyncTask);
}

async function runSyncTask(): Promise<void> {
  const flags = flagsFor('sync');
  const config = loadAssetsConfig(); // a bad `publish`/`ignore` glob fails here, before the bucket is opened
  const limits = parseMaxDelete(flags['max-delete'], flags['allow-mass-delete']);
  await withBucket(flags, async ({ env, opened, limiter, concurrency, history }) => {
    const { runSync } = require('../lib/sync/run-sync') as typeof import('../lib/sync/run-sync');
    const { slugsFromChangeList } = require('../lib/bucket/change-list') as typeof import('../lib/bucket/change-list');
    const { watchInterrupt } = require('../lib/util/interrupt') as typeof import('../lib/util/interrupt');
    const report = require('../lib/sync/sync-report') as typeof import('../lib/sync/sync-report');
    const { keyRules } = require('../lib/bucket/managed-keys') as typeof import('../lib/bucket/managed-keys');
    const changed = flags['changed-files'] ? await slugsFromChangeList(flags['changed-files']) : undefined;
    const dryRun = flags['dry-run'];
    const interrupt = watchInterrupt();
    const handoff = pipelineHandoff();
    const outcome = await runSync(opened.store, {
      dist: flags.dest, cacheControl: env.cacheControl, delete: flags.delete, limits,
      dryRun, force: flags.force, concurrency, limiter, quiet: flags.json, environment: env.name, signal: interrupt,
      scope: { type: flags.type, size: flags.size, filter: flags.filter, slugs: changed }, keys: keyRules(config, flags.exclude),
      // The plan before any write (with --json it is in the final JSON only).
      onUnchanged: handoff && ((read) => handoff.handOn(opened.store.description, read)),
      onPlan: (planned) => { if (!flags.json) process.stdout.write(`${report.formatPlan(planned)}\n`); },
    }).finally(() => interrupt.dispose());
    const synced = report.syncReport(outcome, { environment: env.name, bucket: env.bucket, dryRun });
    const { appliedFigures } = require('../lib/history/figures') as typeof import('../lib/history/figures');
    // A scoped run's objects are a part of the collection: only a whole run says how big it is.
    const whole = !flags.type && !flags.size && !flags.filter && !changed;
    history?.note({ objects: whole ? outcome.objects : undefined, ...appliedFigures(outcome), release: outcome.release?.id });
    // Whatever was written or deleted is purged, even by a run that failed part-way: those objects changed.
    const purge = await purgeAfterChange(env, opened.publicBase, synced.done);
    // The report says ok only when the edge is right too; the checks below judge the sync itself (a purge failure is exit 3).
    const result = purge ? { ...synced, purge, ok: synced.ok && purge.status !== 'failed' } : synced;
    const path = await report.writeSyncReport(result, reportsDir(flags), secretValues());
    printReport(flags, result, path, dryRun ? withPurgePreview('dry run: nothing was changed', env, opened.publicBase, outcome.plan.actions) : withPurgeLines(report.formatOutcome(result), purge));
    if (interrupt.aborted) {
      const { done, planned, deletes } = report.progressOf(outcome);
      throw new InterruptedError(`sync to ${env.name} stopped by Ctrl-C after ${done} of ${planned} writes${deletes ? `; its ${deletes} delete(s) were not made` : ''}`,
      'nothing is lost: what was written is recorded, and the bucket is marked for the next run; run `gulp sync` again to finish');
    }
    if (synced.unrecorded) throw new RunFailedError(`sync to ${env.name} wrote everything, but left changes no release records`, synced.unrecorded);
    if (!synced.ok && synced.failures.length === 0) {
      throw new RunFailedError(`sync to ${env.name} stopped: ${synced.stopped}`, 'run `gulp sync` again: only what is still missing is sent');
    }
    if (!synced.ok) {
      throw new RunFailedError(`sync to ${env.name} failed for ${synced.failures.length} object(s)${synced.stopped ? ` (${synced.stopped})` : ''}`,
        'fix what the failures name and run `gulp sync` again: only what is still missing is sent');
    }
    // --delete asked for deletes the guard refused: the rest is synced and recorded, but the run did not do what it was told.
    if (flags.delete && !dryRun && outcome.plan.deleteRefusal) {
      throw new RunFailedError(`sync to ${env.name} deleted nothing: ${outcome.plan.deleteRefusal}`, 'everything else was synced and recorded');
    }
    failIfUnpurged(purge, `sync to ${env.name}`, path, env);
  }, { command: 'sync', dir: reportsDir(flags) });
}
sync.description = 'Diff-sync dist/ to the bucket by content (MD5 = ETag): uploads only what changed; header-only changes are copies';
sync.flags = flagHelp('sync');
