import { resolve } from 'node:path';
import { secretValues } from '../lib/config/environment';
import { loadAssetsConfig } from '../lib/config/load-assets-config';
import { RunFailedError, UsageError } from '../lib/errors';
import type { ObjectStore } from '../lib/storage/object-store';
import type { VerifyOptions } from '../lib/verify/run-verify';
import type { RepairOutcome } from '../lib/verify/repair-bucket';
import type { VerifyReport } from '../lib/verify/verify-report';
import type { RunTracker } from '../lib/history/run-tracker';
import type { ImageManifest } from '../lib/manifest/types';
import type { ObjectScope } from '../lib/bucket/object-scope';
import { parseMaxDelete, printReport, withBucket } from './bucket-session';
import { reportsDir } from './reports-dir';
import { flagHelp, flagsFor, type TaskFlags } from './flag-tables';
import { runTask } from './outside-domain';
import { pipelineHandoff } from './pipeline-handoff';
import { failIfUnpurged, purgeAfterChange, withPurgeLines } from './cdn-purge';

/** `gulp verify`: prove the bucket holds what the build made, by checksums; repair what is not. */
export function verify(): Promise<void> {
  return runTask(runVerifyTask);
}

async function runVerifyTask(): Promise<void> {
  const flags = flagsFor('verify');
  const config = loadAssetsConfig(); // a bad `publish`/`ignore` glob fails here, before the bucket is opened
  const limits = parseMaxDelete(flags['max-delete'], flags['allow-mass-delete']);
  const repairing = flags.repair;
  if (flags['dry-run'] && !repairing) {
    // `gulp --dry-run` runs build, a dry-run sync, then this: the bucket was not changed, so there is nothing new to prove.
    pipelineHandoff()?.close();
    process.stdout.write('verify skipped: --dry-run without --repair (run `gulp verify` to check the bucket)\n');
    return;
  }
  await withBucket(flags, async ({ env, opened, limiter, concurrency, history }) => {
    const { runVerify, isClean } = require('../lib/verify/run-verify') as typeof import('../lib/verify/run-verify');
    const { repairBucket } = require('../lib/verify/repair-bucket') as typeof import('../lib/verify/repair-bucket');
    const report = require('../lib/verify/verify-report') as typeof import('../lib/verify/verify-report');
    const { keyRules } = require('../lib/bucket/managed-keys') as typeof import('../lib/bucket/managed-keys');
    const dist = flags.dest;
    if (flags.public && !opened.publicBase) throw new UsageError('--public needs R2_PUBLIC_DOMAIN (the public base URL of the bucket)');
    const expected = await expectedState(opened.store, flags, dist);
    const options = {
      ...expected, cacheControl: env.cacheControl, deep: flags.deep, publicBase: flags.public ? opened.publicBase : undefined,
      sample: flags.sample, concurrency, quiet: flags.json, slowP95Ms: config.cdn.slowP95Ms,
      // The embedded bucket is not what browsers read (`gulp serve` answers CORS from its own --cors): only real domains are held to the rule.
      cors: opened.localDirectory ? undefined : env.cors,
      scope: { type: flags.type, size: flags.size, filter: flags.filter }, keys: keyRules(config, flags.exclude), dist,
    };
    // In the pipeline, after a sync that changed nothing: judge what it read (the second look after a repair lists).
    const outcome = await runVerify(opened.store, { ...options, read: pipelineHandoff()?.take(opened.store.description) });
    let repair;
    if (repairing) {
      if (!expected.manifest) throw new UsageError('--repair repairs the bucket to the build: it needs the build\'s images.json');
      const dryRun = flags['dry-run'];
      const repaired = await repairBucket(opened.store, outcome, {
        dist, manifest: expected.manifest, environment: env.name, delete: flags.delete, limits, dryRun,
        concurrency, limiter, quiet: flags.json,
      });
      const after = dryRun || isClean(outcome) ? undefined : await runVerify(opened.store, options);
      repair = { outcome: repaired, dryRun, after };
    }
    const mode = { deep: options.deep, public: options.publicBase !== undefined, sample: options.sample };
    const against = expected.release ? `release ${expected.release.id}` : 'the build';
    const verified = report.verifyReport(outcome, { environment: env.name, bucket: env.bucket, mode, against }, repair);
    noteVerify(history, verified, expected.manifest, options.scope, repair?.outcome);
    const purge = await purgeAfterChange(env, opened.publicBase, verified.repair?.done);
    const result = purge ? { ...verified, purge, ok: verified.ok && purge.status !== 'failed' } : verified;
    const path = await report.writeVerifyReport(result, reportsDir(flags), secretValues());
    printReport(flags, result, path, withPurgeLines(report.formatVerify(result), purge));
    if (!verified.ok && !repair?.dryRun) {
      const left = verified.after ?? verified;
      const problems = report.problemsOf(repair?.after ?? outcome);
      const total = problems.length;
      // The bucket itself can be right while its public domain is not (CORS, a stale CDN): say which failed.
      const what = problems.length > 0 && problems.every((p) => p.kind.startsWith('public-')) ? `the public domain does not serve the bucket as configured` : `the bucket does not match ${expected.release ? `release ${expected.release.id}` : 'the build'}`;
      throw new RunFailedError(`${what}: ${total} problem(s)${verified.after ? ' left after the repair' : ''} (${
        Object.entries(left.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ') || 'repair failures'})`,
      path && `details in ${path}`);
    }
    failIfUnpurged(purge, `the repair of ${env.name}`, path, env);
  }, { command: 'verify', dir: reportsDir(flags) });
}

/** What the run history keeps of a verify: the build's objects in scope, the findings (after a repair, what is left), latency, the repair's writes. */
function noteVerify(
  history: RunTracker | undefined, verified: VerifyReport, manifest: ImageManifest | undefined, scope: ObjectScope, repair: RepairOutcome | undefined,
): void {
  if (!history) return;
  const figures = require('../lib/history/figures') as typeof import('../lib/history/figures');
  const { coversWholeBucket, keyInScope } = require('../lib/bucket/object-scope') as typeof import('../lib/bucket/object-scope');
  const { sizeNames } = require('../lib/bucket/desired') as typeof import('../lib/bucket/desired');
  const left = verified.after ?? verified;
  const sizes = manifest ? sizeNames(manifest) : [];
  history.note({
    // A scoped run's objects are a part of the collection: only a whole run says how big it is.
    objects: manifest && coversWholeBucket(scope) ? figures.objectFigures(manifest, (key) => keyInScope(key, scope, sizes)) : undefined,
    verify: figures.verifyFigures(left.counts, left.problems),
    publicLatency: figures.latencyFigures(verified.public?.latency),
    ...(repair && !verified.repair?.dryRun ? { ...figures.appliedFigures(repair), release: repair.release?.id } : {}),
  });
}
/** What the bucket must hold: a recorded release (--release), or the build's manifest. */
async function expectedState(store: ObjectStore, flags: TaskFlags<'verify'>, dist: string): Promise<Pick<VerifyOptions, 'manifest' | 'release'>> {
  if (flags.release) {
    if (flags.repair || flags.manifest) throw new UsageError('--release cannot be combined with --repair or --manifest', 'to make the bucket match a release, run `gulp restore --release <id>`');
    const { resolveRelease } = require('../lib/restore/run-rollback') as typeof import('../lib/restore/run-rollback');
    return { release: (await resolveRelease(store, flags.release)).target };
  }
  const { requireManifest } = require('../lib/bucket/desired') as typeof import('../lib/bucket/desired');
  return { manifest: await requireManifest(dist, flags.manifest ? resolve(flags.manifest) : undefined, true) };
}

verify.description = 'Prove the bucket matches the build by checksums (listing ETags; --deep reads back); find missing, corrupt, stale and extra objects; --repair fixes them';
verify.flags = flagHelp('verify');
