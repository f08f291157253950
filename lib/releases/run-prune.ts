/**
 * `gulp prune --keep n` as a library call: read the release history and the archive's listing, plan
 * (pure, prune-plan.ts), and unless it is a dry run, apply the deletes with the one executor.
 */
import { AssetsError, UsageError } from '../errors';
import type { ApplyResult } from '../execute/apply-plan';
import { commitRecordDeletes } from '../execute/commit-change';
import type { AdaptiveLimiter } from '../execute/adaptive-limiter';
import { keptReleaseIds, planPrune, PRUNE_GRACE_MS, type PrunePlan } from '../plan/prune-plan';
import type { DeleteLimits } from '../plan/sync-plan';
import { listAll, type ObjectStore } from '../storage/object-store';
import { ARCHIVE_PREFIX } from './release';
import { readLatest, readReleases, releaseRecords } from './release-store';

export interface PruneOptions {
  readonly keep: number;
  readonly limits: DeleteLimits;
  readonly dryRun: boolean;
  readonly concurrency: number;
  readonly limiter?: AdaptiveLimiter;
  /** Unreferenced archived copies younger than this are kept (default one hour). */
  readonly graceMs?: number;
  readonly now?: Date;
}

export interface PruneOutcome {
  readonly plan: PrunePlan;
  readonly result?: ApplyResult;
  readonly seconds: number;
}

export async function runPrune(store: ObjectStore, options: PruneOptions): Promise<PruneOutcome> {
  const started = performance.now();
  if (!Number.isInteger(options.keep) || options.keep < 1) throw new UsageError(`--keep must be a whole number of at least 1 (got ${options.keep})`);
  const [records, latest, archive] = await Promise.all([releaseRecords(store), readLatest(store), listAll(store, { prefix: ARCHIVE_PREFIX })]);
  if (records.length === 0) {
    throw new AssetsError('E_NO_RELEASE', 'the bucket has no releases: there is nothing to prune', { hint: 'every successful `gulp sync` records one' });
  }
  const kept = await readReleases(store, keptReleaseIds(records.map((r) => r.id), options.keep, latest.pointer?.id));
  const plan = planPrune({
    records, keep: options.keep, kept, archive, now: options.now ?? new Date(), graceMs: options.graceMs ?? PRUNE_GRACE_MS, limits: options.limits,
  });
  if (options.dryRun || plan.actions.length === 0) return { plan, seconds: (performance.now() - started) / 1000 };
  const result = await commitRecordDeletes(store, plan, [(key) => !key.startsWith(ARCHIVE_PREFIX), (key) => key.startsWith(ARCHIVE_PREFIX)], {
    concurrency: options.concurrency, limiter: options.limiter,
    readBody: async (object) => { throw new Error(`a prune uploads nothing (asked for ${object.key})`); },
  });
  const stopped = result.stopped && `archived copies kept: ${result.failures.length} release record(s) could not be deleted`;
  return { plan, result: { ...result, stopped }, seconds: (performance.now() - started) / 1000 };
}
