import { secretValues } from '../lib/config/environment';
import { RunFailedError, UsageError } from '../lib/errors';
import { confirmApply, parseMaxDelete, printReport, withBucket } from './bucket-session';
import { flagHelp, flagsFor } from './flag-tables';
import { outsideDomain } from './outside-domain';

/** `gulp prune --keep n`: drop old releases and the archived copies only they needed (plan first). */
export function prune(): Promise<void> {
  return outsideDomain(runPruneTask);
}

async function runPruneTask(): Promise<void> {
  const flags = flagsFor('prune');
  const limits = parseMaxDelete(flags['max-delete'] as string);
  if (flags.keep === undefined) throw new UsageError('gulp prune needs --keep <n>: how many of the newest releases to keep', 'e.g. `gulp prune --keep 20 --dry-run`');
  await withBucket(flags, async ({ env, opened, limiter, concurrency }) => {
    const { runPrune } = require('../lib/releases/run-prune') as typeof import('../lib/releases/run-prune');
    const report = require('../lib/releases/prune-report') as typeof import('../lib/releases/prune-report');
    const common = { keep: flags.keep as number, limits, concurrency, limiter };
    const context = { environment: env.name, bucket: env.bucket };
    let outcome = await runPrune(opened.store, { ...common, dryRun: true });
    const apply = flags['dry-run'] !== true && outcome.plan.actions.length > 0;
    if (apply) {
      if (!flags.json) process.stdout.write(`${report.formatPrunePlan(report.pruneReport(outcome, { ...context, dryRun: true }))}\n`);
      await confirmApply(flags, 'prune', env.name);
      outcome = await runPrune(opened.store, { ...common, dryRun: false });
    }
    const result = report.pruneReport(outcome, { ...context, dryRun: flags['dry-run'] === true });
    const path = await report.writePruneReport(result, 'reports', secretValues());
    printReport(flags, result, path, report.formatPruneOutcome(result));
    if (result.deleteRefusal) throw new RunFailedError(`prune of ${env.name} ${result.dryRun ? 'would be' : 'was'} refused: ${result.deleteRefusal}`, 'nothing was deleted');
    if (!result.ok) throw new RunFailedError(`prune of ${env.name} is incomplete`, 'run the same prune again: it continues where it stopped');
  });
}
prune.description = 'Keep the newest --keep n releases (and the latest); delete older release records and the archived copies no kept release needs (plan first, --dry-run, delete cap)';
prune.flags = flagHelp('prune');
