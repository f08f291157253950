import { secretValues } from '../lib/config/environment';
import { RunFailedError } from '../lib/errors';
import { parseMaxDelete, printReport, withBucket } from './bucket-session';
import { flagHelp, flagsFor } from './flag-tables';
import { outsideDomain } from './outside-domain';

/** `gulp sync`: diff-sync dist/ to the bucket by content. */
export function sync(): Promise<void> {
  return outsideDomain(runSyncTask);
}

async function runSyncTask(): Promise<void> {
  const flags = flagsFor('sync');
  const limits = parseMaxDelete(flags['max-delete'] as string, flags['allow-mass-delete'] === true);
  await withBucket(flags, async ({ env, opened, limiter, concurrency }) => {
    const { runSync } = require('../lib/sync/run-sync') as typeof import('../lib/sync/run-sync');
    const { slugsFromChangeList } = require('../lib/sync/object-scope') as typeof import('../lib/sync/object-scope');
    const report = require('../lib/sync/sync-report') as typeof import('../lib/sync/sync-report');
    const changed = flags['changed-files'] ? await slugsFromChangeList(flags['changed-files'] as string) : undefined;
    const dryRun = flags['dry-run'] === true;
    const outcome = await runSync(opened.store, {
      dist: flags.dest as string, cacheControl: env.cacheControl, delete: flags.delete === true, limits,
      dryRun, concurrency, limiter, quiet: flags.json === true, environment: env.name,
      scope: { type: flags.type as 'album' | 'artist' | undefined, size: flags.size as string | undefined, filter: flags.filter as RegExp | undefined, slugs: changed },
    });
    const result = report.syncReport(outcome, { environment: env.name, bucket: env.bucket, dryRun });
    const path = await report.writeSyncReport(result, 'reports', secretValues());
    const done = dryRun ? 'dry run: nothing was changed' : report.formatOutcome(result);
    printReport(flags, result, path, `${report.formatPlan(outcome)}\n${done}`);
    if (result.unrecorded) throw new RunFailedError(`sync to ${env.name} wrote everything, but left changes no release records`, result.unrecorded);
    if (!result.ok && result.failures.length === 0) {
      throw new RunFailedError(`sync to ${env.name} stopped: ${result.stopped}`, 'run `gulp sync` again: only what is still missing is sent');
    }
    if (!result.ok) {
      throw new RunFailedError(`sync to ${env.name} failed for ${result.failures.length} object(s)${result.stopped ? ` (${result.stopped})` : ''}`,
        'fix what the failures name and run `gulp sync` again: only what is still missing is sent');
    }
    // --delete asked for deletes the guard refused: the rest is synced and recorded, but the run did not do what it was told.
    if (flags.delete === true && !dryRun && outcome.plan.deleteRefusal) {
      throw new RunFailedError(`sync to ${env.name} deleted nothing: ${outcome.plan.deleteRefusal}`, 'everything else was synced and recorded');
    }
  });
}
sync.description = 'Diff-sync dist/ to the bucket by content (MD5 = ETag): uploads only what changed; header-only changes are copies';
sync.flags = flagHelp('sync');
