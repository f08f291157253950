/**
 * `gulp prune --keep n` as a library call: read the release history and the archive's listing, plan
 * (pure, prune-plan.ts), and unless it is a dry run, apply the deletes with the one executor.
 */
import { AssetsError, UsageError } from '../errors';
import { anySignal, type ApplyResult, type StopSignal } from '../execute/apply-plan';
import { commitRecordDeletes } from '../execute/commit-change';
import type { AdaptiveLimiter } from '../execute/adaptive-limiter';
import { planPrune, PRUNE_GRACE_MS, type PrunePlan } from '../plan/prune-plan';
import type { DeleteLimits } from '../plan/sync-plan';
import { listAll, type ObjectStore } from '../storage/object-store';
import { ARCHIVE_PREFIX, RELEASES_PREFIX } from './release';
import { newerThanLatest, releaseChain } from './release-chain';
import { latestId, readLatest, releaseRecords } from './release-store';
import { recordPruned } from './pruned-record';
import { readSyncState, writeSyncState } from '../bucket/state-record';
import { WriterLock } from '../bucket/writer-lock';

export interface PruneOptions {
  readonly keep: number;
  readonly limits: DeleteLimits;
  readonly dryRun: boolean;
  readonly concurrency: number;
  readonly limiter?: AdaptiveLimiter;
  /** Unreferenced archived copies younger than this are kept (default one hour). */
  readonly graceMs?: number;
  readonly now?: Date;
  /** Stops the deletes (Ctrl-C) between passes: a pass not started is left for the next prune. */
  readonly signal?: StopSignal;
  /**
   * The deletes the user was shown and confirmed: the plan made again under the lock deletes only those.
   * A release published meanwhile moves what `--keep n` keeps; what became due since is left for the next prune.
   */
  readonly confirmed?: ReadonlySet<string>;
}

export interface PruneOutcome {
  readonly plan: PrunePlan;
  /** Deletes the plan under the lock wanted that were not in the confirmed plan: not made (the next prune plans them). */
  readonly unconfirmed?: number;
  readonly result?: ApplyResult;
  readonly seconds: number;
}

/** Reads the release history and the archive's listing, and plans (pure). */
async function readAndPlan(store: ObjectStore, options: PruneOptions): Promise<PrunePlan> {
  const [records, latest, archive] = await Promise.all([releaseRecords(store), readLatest(store), listAll(store, { prefix: ARCHIVE_PREFIX })]);
  if (records.length === 0) {
    throw new AssetsError('E_NO_RELEASE', 'the bucket has no releases: there is nothing to prune', { hint: 'every successful `gulp sync` records one' });
  }
  const latestReleaseId = latestId(latest);
  if (!latestReleaseId) {
    throw new AssetsError('E_NO_RELEASE', 'no release is the latest (`_releases/latest.json` is missing): prune keeps history by the latest release, so nothing was deleted',
      { hint: 'run `gulp sync` (or `gulp restore <id> --yes`) to make a release the latest, then prune' });
  }
  const chain = await releaseChain(store, latestReleaseId, options.keep);
  const newer = await newerThanLatest(store, records.map((r) => r.id), latestReleaseId);
  const kept = [...chain, ...newer.readable];
  return planPrune({
    records, keep: options.keep, kept, spared: newer.ids, archive, now: options.now ?? new Date(), graceMs: options.graceMs ?? PRUNE_GRACE_MS, limits: options.limits,
  });
}

/**
 * Plan, then (unless a dry run) delete in two passes through the one executor: the release records,
 * then — planned again from a fresh read, so a release published meanwhile keeps what it needs — the
 * archived copies both plans call unreferenced. The bucket's writer lock is held throughout, so no writer
 * runs meanwhile; a bucket with unrecorded changes (a writer stopped part-way) is not pruned at all.
 */
export async function runPrune(store: ObjectStore, options: PruneOptions): Promise<PruneOutcome> {
  const started = performance.now();
  if (!Number.isInteger(options.keep) || options.keep < 1) throw new UsageError(`--keep must be a whole number of at least 1 (got ${options.keep})`);
  const plan = await readAndPlan(store, options);
  const seconds = () => (performance.now() - started) / 1000;
  if (options.dryRun || plan.actions.length === 0) return { plan, seconds: seconds() };
  const lock = await WriterLock.acquire(store, 'prune');
  try {
    const state = await readSyncState(store);
    if (state.unreleased) {
      throw new AssetsError('E_UNRELEASED', 'the bucket holds changes no release records (a run stopped part-way): '
        + 'a prune now could delete archived copies it relies on, so nothing was deleted', { hint: 'run `gulp sync` (or `gulp verify --repair`) first, then prune' });
    }
    // Rewritten (same content) so that a writer which planned before this prune — perhaps on an archived copy
    // or a release it is about to delete — finds the state record changed once it holds the lock, and replans.
    await writeSyncState(store, state.records, { release: state.release }, state, 'pruning');
    const replanned = await readAndPlan(store, options); // planned again under the lock: nothing it keeps now is deleted
    const confirmed = options.confirmed;
    const locked = confirmed ? { ...replanned, actions: replanned.actions.filter((a) => confirmed.has(a.key)) } : replanned;
    const unconfirmed = replanned.actions.length - locked.actions.length;
    const apply = {
      concurrency: options.concurrency, limiter: options.limiter, signal: anySignal(lock, options.signal),
    };
    const isCopy = (key: string) => key.startsWith(ARCHIVE_PREFIX);
    const first = await commitRecordDeletes(store, { ...locked, actions: locked.actions.filter((a) => !isCopy(a.key)) }, apply);
    // Which records went, when, with which --keep: `gulp restore <pruned id>` says so rather than "not in the bucket". Advice only.
    const gone = first.deleted.filter((key) => key.startsWith(RELEASES_PREFIX)).map((key) => key.slice(RELEASES_PREFIX.length, -'.json'.length));
    await recordPruned(store, gone, options.keep, options.now ?? new Date()).catch(() => undefined);
    if (first.failures.length > 0 || first.stopped) {
      return { plan: locked, unconfirmed, result: { ...first, stopped: first.stopped ?? `archived copies kept: ${first.failures.length} release record(s) could not be deleted` }, seconds: seconds() };
    }
    const fresh = new Set((await readAndPlan(store, options)).archiveDeletes.map((o) => o.key));
    const copies = await commitRecordDeletes(store, { ...locked, actions: locked.actions.filter((a) => isCopy(a.key) && fresh.has(a.key)) }, apply);
    const deleted = [...first.deleted, ...copies.deleted];
    return { plan: locked, unconfirmed, result: { ...copies, deleted, completed: { ...copies.completed, delete: deleted.length } }, seconds: seconds() };
  } finally {
    await lock.release().catch(() => undefined);
  }
}
