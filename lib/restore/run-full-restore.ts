/**
 * `gulp restore` with no release: the seed's "data loss: rebuild from source". A clean build of dist/
 * from the sources (cache ignored), the bucket repaired to match it by the one executor (missing,
 * corrupt and stale objects sent; nothing unchanged re-sent, unless --force) through the one write
 * path (what it overwrites is archived first; the result is recorded as a release), then a verify
 * that must come back clean. A dry run rebuilds into a scratch folder, so it changes neither dist/ nor the cache.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunFailedError } from '../errors';
import { buildImages, type BuildOptions, type BuildSummary } from '../images/build';
import type { Finding } from '../plan/verify-plan';
import type { ObjectStore } from '../storage/object-store';
import { requireManifest } from '../bucket/desired';
import { repairBucket, type RepairOptions, type RepairOutcome } from '../verify/repair-bucket';
import { runVerify, type VerifyOptions, type VerifyOutcome } from '../verify/run-verify';

export interface FullRestoreOptions {
  readonly build: Omit<BuildOptions, 'noCache'>;
  readonly verify: Omit<VerifyOptions, 'manifest' | 'dist'>;
  readonly repair: Omit<RepairOptions, 'dist' | 'manifest' | 'reason'>;
  /** Re-upload every object, matching or not. */
  readonly force: boolean;
}

export interface FullRestoreOutcome {
  readonly build: BuildSummary;
  readonly before: VerifyOutcome;
  readonly repair: RepairOutcome;
  readonly after?: VerifyOutcome;
}

export async function runFullRestore(store: ObjectStore, options: FullRestoreOptions): Promise<FullRestoreOutcome> {
  if (!options.repair.dryRun) return rebuildAndRepair(store, options);
  // A dry run writes nothing anywhere: the rebuild it plans from goes to a scratch folder, removed after.
  const scratch = await mkdtemp(join(tmpdir(), 'russfm-restore-dry-run-'));
  try {
    return await rebuildAndRepair(store, { ...options, build: { ...options.build, dest: join(scratch, 'dist'), cacheDir: join(scratch, 'cache') } });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function rebuildAndRepair(store: ObjectStore, options: FullRestoreOptions): Promise<FullRestoreOutcome> {
  const build = await buildImages({ ...options.build, noCache: true });
  if (build.failed > 0) {
    throw new RunFailedError(`the rebuild failed for ${build.failed} of ${build.sources} sources; the bucket was not touched`,
      'fix or remove the sources named above and run `gulp restore` again');
  }
  const manifest = await requireManifest(options.build.dest);
  // dist/ also holds the files assets.config.ts publishes: they are repaired like the images.
  const verify = { ...options.verify, manifest, dist: options.build.dest };
  const before = await runVerify(store, verify);
  const forced: Finding[] = options.force
    ? before.matched.map((local) => ({ kind: 'missing', key: local.key, local, reason: 're-uploaded (--force)' }))
    : [];
  const repair = await repairBucket(store, { ...before, findings: [...before.findings, ...forced] }, {
    ...options.repair, dist: options.build.dest, manifest, reason: 'rebuild',
  });
  const after = options.repair.dryRun ? undefined : await runVerify(store, verify);
  return { build, before, repair, after };
}
