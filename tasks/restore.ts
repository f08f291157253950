import { secretValues } from '../lib/config/environment';
import { InterruptedError, RunFailedError, UsageError } from '../lib/errors';
import type { AssetsConfig } from '../lib/config/assets-config';
import { loadAssetsConfig } from '../lib/config/load-assets-config';
import type { DeleteLimits } from '../lib/plan/sync-plan';
import type { ReleaseChoice } from '../lib/restore/run-rollback';
import { confirmApply, parseMaxDelete, printReport, withBucket } from './bucket-session';
import { reportsDir } from './reports-dir';
import { flagHelp, flagsFor, type TaskFlags } from './flag-tables';
import { runTask } from './outside-domain';
import { appliedFigures, sourceFigures } from '../lib/history/figures';
import { failIfUnpurged, purgeAfterChange, withPurgeLines } from './cdn-purge';

/** `gulp restore --release <id|previous>`: roll the bucket back (or forward) to a recorded release. */
export function restore(): Promise<void> {
  return runTask(runRestoreTask);
}

async function runRestoreTask(): Promise<void> {
  const flags = flagsFor('restore');
  const limits = parseMaxDelete(flags['max-delete'], flags['allow-mass-delete']);
  if (flags.at && flags.release) throw new UsageError('give --release or --at, not both');
  const { parseAt } = require('../lib/restore/state-at') as typeof import('../lib/restore/state-at');
  const choice = flags.at ? { at: parseAt(flags.at) } : flags.release;
  if (flags.pull) return pull(flags, choice ?? 'latest');
  const config = loadAssetsConfig(); // a bad `publish`/`ignore` glob fails here, before the bucket is opened (a pull needs no config)
  if (!choice) return fullRestore(flags, limits, config);
  await withBucket(flags, async ({ env, opened, limiter, concurrency, history }) => {
    const { runRollback } = require('../lib/restore/run-rollback') as typeof import('../lib/restore/run-rollback');
    const report = require('../lib/restore/restore-report') as typeof import('../lib/restore/restore-report');
    const { watchInterrupt } = require('../lib/util/interrupt') as typeof import('../lib/util/interrupt');
    const { keyRules } = require('../lib/bucket/managed-keys') as typeof import('../lib/bucket/managed-keys');
    const common = {
      release: choice, environment: env.name, limits, concurrency, limiter, quiet: flags.json, keys: keyRules(config, flags.exclude),
      publicBase: opened.publicBase,
    };
    let outcome = await runRollback(opened.store, { ...common, dryRun: true });
    const blocked = outcome.plan.unrecoverable.length > 0 || outcome.plan.deleteRefusal !== undefined;
    let interrupted = false;
    const apply = !flags['dry-run'] && (outcome.plan.actions.length > 0 || outcome.unrecorded) && !blocked;
    if (apply) {
      if (!flags.json) process.stdout.write(`${report.formatRollbackPlan(outcome)}\n`);
      await confirmApply(flags, 'restore', env.name);
      const interrupt = watchInterrupt();
      outcome = await runRollback(opened.store, { ...common, dryRun: false, signal: interrupt }).finally(() => interrupt.dispose());
      interrupted = interrupt.aborted;
    }
    const restored = report.restoreReport(outcome, { environment: env.name, bucket: env.bucket, dryRun: !apply });
    if (apply) history?.note({ ...appliedFigures(outcome), release: outcome.release?.id });
    const purge = await purgeAfterChange(env, opened.publicBase, restored.done);
    const result = purge ? { ...restored, purge, ok: restored.ok && purge.status !== 'failed' } : restored;
    const path = await report.writeRestoreReport(result, reportsDir(flags), secretValues());
    printReport(flags, result, path, withPurgeLines(report.formatRestoreOutcome(outcome, result), purge));
    if (interrupted) {
      const writes = outcome.plan.actions.filter((a) => a.kind !== 'delete').length;
      const done = Object.entries(outcome.result?.completed ?? {}).filter(([kind]) => kind !== 'delete').reduce((sum, [, n]) => sum + n, 0);
      throw new InterruptedError(`restore of ${env.name} to ${outcome.target.id} stopped by Ctrl-C after ${done} of ${writes} copies (no deletes were made)`,
        'nothing is lost: what it overwrote was archived first, and the bucket is marked for the next run; run the same restore again to finish');
    }
    // A dry run did what it was asked (planned), even when the plan shows deletes the cap would refuse; a release whose
    // bytes are gone cannot be planned in full, so that fails a dry run too.
    if (!restored.ok && !(flags['dry-run'] && outcome.plan.unrecoverable.length === 0)) {
      throw new RunFailedError(`restore of ${env.name} to ${outcome.target.id} ${outcome.result ? 'is incomplete' : 'was refused: nothing was changed'}`,
        outcome.plan.unrecoverable.length > 0 ? 'the objects named above cannot be restored from the archive: rebuild them with `gulp build --no-cache` and `gulp verify --repair`'
          : outcome.plan.deleteRefusal ? 'nothing was changed: if those deletes are intended, pass the --max-delete the refusal above names'
            : 'fix what the failures name and run the same restore again: it continues where it stopped');
    }
    failIfUnpurged(purge, `restore of ${env.name} to ${outcome.target.id}`, path, env);
  }, { command: 'restore', dir: reportsDir(flags) });
}
/** No release named: rebuild dist/ from the sources (cache ignored), repair the bucket to match, verify. */
async function fullRestore(flags: TaskFlags<'restore'>, limits: DeleteLimits, config: AssetsConfig): Promise<void> {
  await withBucket(flags, async ({ env, opened, limiter, concurrency, history }) => {
    const { runFullRestore } = require('../lib/restore/run-full-restore') as typeof import('../lib/restore/run-full-restore');
    const { defaultConcurrency } = require('../lib/images/responsive') as typeof import('../lib/images/responsive');
    const { formatBuildSummary } = require('../lib/images/build-summary') as typeof import('../lib/images/build-summary');
    const report = require('../lib/verify/verify-report') as typeof import('../lib/verify/verify-report');
    const { keyRules } = require('../lib/bucket/managed-keys') as typeof import('../lib/bucket/managed-keys');
    const dryRun = flags['dry-run'];
    const quiet = flags.json;
    const outcome = await runFullRestore(opened.store, {
      build: {
        src: flags.src, dest: flags.dest, cacheDir: flags['cache-dir'], config: config.image,
        concurrency: defaultConcurrency(), scope: {}, quiet, allowEmpty: flags['allow-empty'],
      },
      verify: { cacheControl: env.cacheControl, scope: {}, deep: false, concurrency, quiet, keys: keyRules(config, flags.exclude) },
      repair: {
        delete: flags.delete, limits, dryRun, concurrency, limiter, quiet, environment: env.name,
        confirmDeletes: async (plan) => {
          const deletes = plan.actions.filter((a) => a.kind === 'delete').map((a) => `  delete ${a.key}`);
          if (!quiet) process.stdout.write(`the rebuilt bucket no longer has ${deletes.length} object(s):\n${deletes.slice(0, 20).join('\n')}\n`);
          await confirmApply(flags, 'restore --delete', env.name);
        },
      },
      force: flags.force,
    });
    const verified = report.verifyReport(outcome.before, { environment: env.name, bucket: env.bucket, mode: { deep: false, public: false } },
      { outcome: outcome.repair, dryRun, after: outcome.after });
    history?.note({ sources: sourceFigures(outcome.build), ...appliedFigures(outcome.repair), release: outcome.repair.release?.id });
    const purge = await purgeAfterChange(env, opened.publicBase, verified.repair?.done);
    const result = purge ? { ...verified, purge, ok: verified.ok && purge.status !== 'failed' } : verified;
    const path = await report.writeVerifyReport(result, reportsDir(flags), secretValues());
    printReport(flags, { build: outcome.build, ...result }, path, withPurgeLines(`${formatBuildSummary(outcome.build)}\n${report.formatVerify(result)}`, purge));
    const left = outcome.after ? report.problemsOf(outcome.after) : [];
    if (!dryRun && !(outcome.after && left.length === 0 && (outcome.repair.result?.failures.length ?? 0) === 0)) {
      const onlyExtras = left.length > 0 && left.every((p) => p.kind === 'extra') && (outcome.repair.result?.failures.length ?? 0) === 0;
      throw new RunFailedError(`the bucket of ${env.name} does not match the rebuild yet`, onlyExtras
        ? `it still holds ${left.length} object(s) the rebuild does not have: run \`gulp restore --delete\` (with --yes off a terminal) to remove them; details in ${path}`
        : `details in ${path}; run \`gulp restore\` again to continue`);
    }
    failIfUnpurged(purge, `the rebuild-and-restore of ${env.name}`, path, env);
  }, { command: 'restore', dir: reportsDir(flags) });
}

/** `--pull`: download a release into --dest, each file checked by SHA-256, plus its image manifest. */
async function pull(flags: TaskFlags<'restore'>, release: ReleaseChoice): Promise<void> {
  // Pulled renditions over the originals would replace them, and the next build would take them for sources.
  const { checkFolders } = require('../lib/images/build-guards') as typeof import('../lib/images/build-guards');
  checkFolders(flags.src, flags.dest, 'the pull writes renditions into --dest');
  await withBucket(flags, async ({ env, concurrency, opened }) => {
    const { runPull } = require('../lib/restore/run-pull') as typeof import('../lib/restore/run-pull');
    const report = require('../lib/restore/pull-report') as typeof import('../lib/restore/pull-report');
    const outcome = await runPull(opened.store, {
      release, dest: flags.dest, concurrency, quiet: flags.json, dryRun: flags['dry-run'],
    });
    const result = report.pullReport(outcome, { environment: env.name, bucket: env.bucket });
    const path = await report.writePullReport(result, reportsDir(flags), secretValues());
    printReport(flags, result, path, report.formatPull(result));
    if (!result.ok) {
      throw new RunFailedError(`pull of release ${outcome.release.id} is ${outcome.dryRun ? 'not possible in full' : 'incomplete'}`,
        outcome.diskFull ? 'free space, then run the same command again: files already pulled are kept'
          : 'files already pulled are kept: a rerun fetches only the rest (one that failed for its name or its bytes fails again until that is fixed)');
    }
  }, { command: 'restore', dir: reportsDir(flags) });
}

restore.description = 'Roll the bucket back (or forward) to a release (--release) or a time (--at) by server-side copies, plan first; --pull downloads a release into a folder; with neither, rebuild from the sources and repair the bucket';
restore.flags = flagHelp('restore');
