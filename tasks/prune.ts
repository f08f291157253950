import { secretValues } from '../lib/config/environment';
import { InterruptedError, RunFailedError, UsageError } from '../lib/errors';
import { confirmApply, parseMaxDelete, printReport, withBucket } from './bucket-session';
import { reportsDir } from './reports-dir';
import { flagHelp, flagsFor } from './flag-tables';
import { runTask } from './outside-domain';

/** `gulp prune --keep n`: drop old releases and the archived copies only they needed (plan first). */
export function prune(): Promise<void> {
  return runTask(runPruneTask);
}

async function runPruneTask(): Promise<void> {
  const flags = flagsFor('prune');
  const limits = parseMaxDelete(flags['max-delete']);
  const keep = flags.keep;
  if (keep === undefined) throw new UsageError('gulp prune needs --keep <n>: how many of the newest releases to keep', 'e.g. `gulp prune --keep 20 --dry-run`');
  await withBucket(flags, async ({ env, opened, limiter, concurrency, history }) => {
    const { runPrune } = require('../lib/releases/run-prune') as typeof import('../lib/releases/run-prune');
    const { watchInterrupt } = require('../lib/util/interrupt') as typeof import('../lib/util/interrupt');
    const report = require('../lib/releases/prune-report') as typeof import('../lib/releases/prune-report');
    const common = { keep, limits, concurrency, limiter };
    const context = { environment: env.name, bucket: env.bucket };
    let outcome = await runPrune(opened.store, { ...common, dryRun: true });
    const apply = !flags['dry-run'] && outcome.plan.actions.length > 0;
    let interrupted = false;
    if (apply) {
      if (!flags.json) process.stdout.write(`${report.formatPrunePlan(report.pruneReport(outcome, { ...context, dryRun: true }))}\n`);
      await confirmApply(flags, 'prune', env.name);
      const interrupt = watchInterrupt();
      const confirmed = new Set(outcome.plan.actions.map((a) => a.key)); // what was shown is all it may delete
      outcome = await runPrune(opened.store, { ...common, dryRun: false, signal: interrupt, confirmed }).finally(() => interrupt.dispose());
      if (outcome.unconfirmed) process.stderr.write(`note: ${outcome.unconfirmed} more delete(s) became due while this prune ran (another run published a release); run \`gulp prune --keep ${keep}\` again for them\n`);
      interrupted = interrupt.aborted;
    }
    const result = report.pruneReport(outcome, { ...context, dryRun: flags['dry-run'] });
    // What the prune took out of the archive: the plan's copies, in full when every delete was made.
    const removedAll = apply && result.failures.length === 0 && !interrupted;
    if (apply) history?.note({ archive: { added: { count: 0, bytes: 0 }, removed: { count: removedAll ? result.archive.deletes : 0, bytes: removedAll ? result.archive.bytesFreed : 0 } } });
    const path = await report.writePruneReport(result, reportsDir(flags), secretValues());
    printReport(flags, result, path, report.formatPruneOutcome(result));
    if (interrupted) {
      throw new InterruptedError(`prune of ${env.name} stopped by Ctrl-C after ${result.deleted} of ${outcome.plan.actions.length} deletes`,
        `every listed release is still restorable (release records go first): run \`gulp prune --keep ${keep}\` again to finish`);
    }
    // A dry run did what it was asked (planned), even when the plan shows deletes the cap would refuse.
    if (!result.ok && !flags['dry-run']) {
      throw new RunFailedError(`prune of ${env.name} is incomplete`, result.deleteRefusal
        ? 'nothing was deleted: raise --max-delete if those deletes are intended' : 'run the same prune again: it continues where it stopped');
    }
  }, { command: 'prune', dir: reportsDir(flags) });
}
prune.description = 'Keep the newest --keep n releases (and the latest); delete older release records and the archived copies no kept release needs (plan first, --dry-run, delete cap)';
prune.flags = flagHelp('prune');
