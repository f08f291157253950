import { secretValues } from '../lib/config/environment';
import { sharedBuckets } from '../lib/config/same-store';
import { loadAssetsConfig } from '../lib/config/load-assets-config';
import { InterruptedError, RunFailedError, UsageError } from '../lib/errors';
import { parseMaxDelete, printReport, resolveTarget, withBucket } from './bucket-session';
import { reportsDir } from './reports-dir';
import { flagHelp, flagsFor } from './flag-tables';
import { GIVEN } from './flags';
import { runTask } from './outside-domain';
import { failIfUnpurged, purgeAfterChange, withPurgeLines, withPurgePreview } from './cdn-purge';

/** `gulp mirror --to backup`: make another store hold the source's latest release, byte for byte. */
export function mirror(): Promise<void> {
  return runTask(runMirrorTask);
}

async function runMirrorTask(): Promise<void> {
  const flags = flagsFor('mirror');
  const config = loadAssetsConfig();
  const limits = parseMaxDelete(flags['max-delete'], flags['allow-mass-delete']);
  const to = flags.to as NonNullable<typeof flags.to>; // required: checked with the other flags (FLAG_CHECKS)
  // Named on purpose either way: the CI rule for a forgotten --env guards the embedded default, not this.
  const source = resolveTarget({ env: flags.env, [GIVEN]: new Set(['env']) });
  const target = resolveTarget({ env: to, [GIVEN]: new Set(['env']) }); // withBucket reuses it
  const shared = sharedBuckets(source, target);
  if (shared.length > 0) {
    throw new UsageError(`--env ${source.name} and --to ${target.name} share the bucket${shared.length > 1 ? 's' : ''} ${shared.map((b) => `"${b}"`).join(', ')} on one server (images or records)`,
      'check the BACKUP_ settings: the backup must be other buckets, records (BACKUP_R2_ARCHIVE_BUCKET) included');
  }
  await withBucket({ ...flags, env: to, [GIVEN]: new Set(['env']) }, async ({ env, opened, limiter, concurrency, history }) => {
    const { openStore } = require('../lib/bucket/open-store') as typeof import('../lib/bucket/open-store');
    const { runMirror } = require('../lib/mirror/run-mirror') as typeof import('../lib/mirror/run-mirror');
    const report = require('../lib/mirror/mirror-report') as typeof import('../lib/mirror/mirror-report');
    const { keyRules } = require('../lib/bucket/managed-keys') as typeof import('../lib/bucket/managed-keys');
    const { watchInterrupt } = require('../lib/util/interrupt') as typeof import('../lib/util/interrupt');
    const dryRun = flags['dry-run'];
    const from = await openStore(source, { limiter });
    const interrupt = watchInterrupt();
    const outcome = await runMirror(from.store, opened.store, {
      source: source.name, environment: env.name, limits, keys: keyRules(config), dryRun, concurrency, limiter, quiet: flags.json, signal: interrupt,
      onPlan: (planned) => { if (!flags.json) process.stdout.write(`${report.formatMirrorPlan(planned, source.name, env.name)}\n`); },
    }).finally(async () => { interrupt.dispose(); await from.close(); });
    const mirrored = report.mirrorReport(outcome, { source: source.name, environment: env.name, bucket: env.bucket, dryRun });
    const { appliedFigures } = require('../lib/history/figures') as typeof import('../lib/history/figures');
    history?.note({ ...appliedFigures(outcome), release: outcome.release?.id });
    const purge = await purgeAfterChange(env, opened.publicBase, mirrored.done);
    const result = purge ? { ...mirrored, purge, ok: mirrored.ok && purge.status !== 'failed' } : mirrored;
    const path = await report.writeMirrorReport(result, reportsDir(flags), secretValues());
    printReport(flags, result, path, dryRun ? withPurgePreview('dry run: nothing was changed', env, opened.publicBase, outcome.plan.actions)
      : withPurgeLines(report.formatMirrorOutcome(result), purge));
    if (dryRun) return;
    const what = `mirror of --env ${source.name} into --env ${env.name}`;
    const again = `run \`gulp mirror --env ${source.name} --to ${env.name}\` again: only what is still different is copied`;
    if (interrupt.aborted) throw new InterruptedError(`${what} stopped by Ctrl-C`, `nothing is lost: what was copied is recorded; ${again}`);
    if (mirrored.unrecorded) throw new RunFailedError(`${what} copied everything, but left changes no release records`, mirrored.unrecorded);
    if (mirrored.failures.length > 0 || mirrored.stopped) {
      throw new RunFailedError(`${what} failed for ${mirrored.failures.length} object(s)${mirrored.stopped ? ` (${mirrored.stopped})` : ''}`,
        `fix what the failures name, then ${again}`);
    }
    if (outcome.plan.deleteRefusal) throw new RunFailedError(`${what} deleted nothing: ${outcome.plan.deleteRefusal}`, 'everything else was copied and recorded');
    failIfUnpurged(purge, what, path, env);
  }, { command: 'mirror', dir: reportsDir(flags) });
}
mirror.description = 'Make another store (--to backup) hold the latest release of --env byte for byte: copies only what differs, object to object, and records a release there';
mirror.flags = flagHelp('mirror');
