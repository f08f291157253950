/**
 * `gulp restore --release <id|previous>` as a library call: read the release, list the bucket and the
 * archive, plan the rollback (pure), show it, then apply it with the one executor: archive copies first,
 * copies back from the archive, re-headers, deletes last. The rollback is recorded as a new release, so
 * it can itself be undone; rerunning after a crash plans only what is still different.
 */
import { AssetsError } from '../errors';
import type { ApplyResult } from '../execute/apply-plan';
import { commitChange, needsRelease, type WriteRunOptions } from '../execute/commit-change';
import { preserveFirst } from '../execute/preserve';
import { planTotals, type PlanTotals } from '../plan/plan-cost';
import { planRollback, type RollbackPlan } from '../plan/rollback-plan';
import type { ExpectedCopy } from '../plan/sync-plan';
import { ARCHIVE_PREFIX, sameObjects, type Release } from '../releases/release';
import { latestId, readLatest, readRelease, type LatestRead } from '../releases/release-store';
import { listAll, type ObjectStore, type ObjectVersion } from '../storage/object-store';
import { versionsByKey } from '../plan/versions-at';
import { changedSinceRecord } from '../plan/bucket-drift';
import { releaseAt, stateAt } from './state-at';
import { isReserved } from '../bucket/object-scope';
import { listRemote, planLooking } from '../bucket/listing';
import { DEFAULT_KEY_RULES, managedKeys, splitManaged, type UnmanagedTally } from '../bucket/managed-keys';
import { readSyncState } from '../bucket/state-record';
import { createProgress } from '../util/progress';
import { publicUrl } from '../verify/public-check';

/** A release id, `latest`, `previous` (the latest release's parent), or the state at a time (`--at`). */
export type ReleaseChoice = string | { readonly at: Date };

/**
 * `keys`: one the tool does not manage (and one `ignore` or --exclude names) is never deleted. A release is
 * put back whole: every key it records is restored, whatever these say.
 */
export interface RollbackOptions extends WriteRunOptions {
  readonly release: ReleaseChoice;
  /** Base of the public URLs, for the list of URLs to purge from a CDN. */
  readonly publicBase?: string;
}

export interface RollbackOutcome {
  readonly target: Release;
  readonly plan: RollbackPlan;
  readonly totals: PlanTotals;
  /** Objects left alone: not the tool's, or excluded or ignored (none the release records). */
  readonly unmanaged: UnmanagedTally;
  readonly result?: ApplyResult;
  /** The release that records the rollback. */
  readonly release?: Release;
  /**
   * The latest release does not record the target's objects: even with no action left (a run killed
   * after its last copy), applying publishes the release that says the bucket is back at the target.
   */
  readonly unrecorded: boolean;
  /** Public URLs whose content or headers changed (or will): purge them from the CDN. */
  readonly changedUrls: readonly string[];
  readonly seconds: number;
}

/** The release chosen, the pointer as read, and (`current`) the latest release's record when it was read on the way. */
export async function resolveRelease(store: ObjectStore, which: ReleaseChoice): Promise<{ target: Release; latest: LatestRead; current?: Release }> {
  const latest = await readLatest(store);
  if (typeof which !== 'string') return { target: await releaseAt(store, which.at), latest };
  if (which !== 'latest' && which !== 'previous') return { target: await readRelease(store, which), latest };
  const latestReleaseId = latestId(latest);
  if (!latestReleaseId) {
    throw new AssetsError('E_NO_RELEASE', 'the bucket has no releases yet', { hint: 'every successful `gulp sync` records one' });
  }
  if (which === 'latest') {
    const current = await readRelease(store, latestReleaseId);
    return { target: current, latest, current };
  }
  const current = await readRelease(store, latestReleaseId);
  if (!current.parent) throw new AssetsError('E_NO_RELEASE', `release ${current.id} is the first one: there is no previous release`);
  return { target: await readRelease(store, current.parent), latest, current };
}

/** Every version and delete marker of the images (the tool's own prefixes left out). */
async function imageHistory(store: ObjectStore): Promise<ObjectVersion[]> {
  const history: ObjectVersion[] = [];
  for await (const page of store.listVersions()) for (const v of page) if (!isReserved(v.key)) history.push(v);
  return history;
}

/** `--at` on a versioned bucket is the state in the version history; everything else is a recorded release. */
async function resolveTarget(store: ObjectStore, choice: ReleaseChoice, history?: readonly ObjectVersion[]) {
  if (typeof choice === 'string' || !history) return { ...(await resolveRelease(store, choice)), restoredFrom: undefined };
  const latest = await readLatest(store);
  // Only lends headers to unchanged versions: a damaged latest record is simply not used.
  const latestRelease = latest.pointer ? await readRelease(store, latest.pointer.id).catch(() => undefined) : undefined;
  return {
    target: await stateAt(store, history, choice.at, latestRelease), latest, current: latestRelease,
    restoredFrom: `the bucket's versions at ${choice.at.toISOString()}`,
  };
}

/** The archive's objects as listed: what each archive key holds (ETag and size). */
async function archiveListing(store: ObjectStore): Promise<Map<string, ExpectedCopy>> {
  return new Map((await listAll(store, { prefix: ARCHIVE_PREFIX })).map((o) => [o.key, { etag: o.etag, size: o.size }]));
}

export async function runRollback(store: ObjectStore, options: RollbackOptions): Promise<RollbackOutcome> {
  const started = performance.now();
  // A bucket with native versioning restores from its old versions; without, from the archive.
  const versioned = (await store.versioning()) === 'enabled';
  const history = versioned ? await imageHistory(store) : undefined;
  // The state record first: a writer saves it last (after its release and pointer), and the lock's staleness
  // check compares only it. Read after it, the latest pointer is at least as new as the state the plan is made
  // on; read before it (in parallel), a run finishing in between left this rollback a stale "latest" equal to
  // its target, and it recorded no release over the other run's (found by the generated two-writer histories).
  const state = await readSyncState(store);
  const { target, latest, restoredFrom, current } = await resolveTarget(store, options.release, history);
  const inScope = (key: string) => !isReserved(key);
  const [{ objects: listed, pages }, archived] = await Promise.all([listRemote(store, inScope), archiveListing(store)]);
  const { records } = state;
  const recorded = { has: (key: string) => records.has(key) || Object.hasOwn(target.objects, key) };
  const keys = managedKeys(options.keys ?? DEFAULT_KEY_RULES);
  // What the target records is its, whatever the exclusions say: only the rest can be left alone.
  const wholeRelease = { ...keys, classify: (key: string) => (Object.hasOwn(target.objects, key) ? 'image' as const : keys.classify(key)) };
  const { managed: remote, unmanaged, gets } = await splitManaged(store, listed, wholeRelease, recorded);
  const inRun = (key: string) => inScope(key) && wholeRelease.classify(key) !== 'excluded';
  const behind = changedSinceRecord({ remote, records, recordedAt: state.recordedAt, wanted: new Set(Object.keys(target.objects)), inScope: inRun });
  const input = { target, remote, records, archived, versions: history && versionsByKey(history), limits: options.limits };
  const { planned, heads } = await planLooking(store, () => planRollback(input), records);
  const { plan } = await preserveFirst(store, planned, records, { versioned, archive: archived });
  const totals = planTotals(plan, { listPages: pages, heads, gets: 4 + gets });
  const changedUrls = plan.actions.filter((a) => a.kind !== 'archive')
    .map((a) => (options.publicBase ? publicUrl(options.publicBase, a.key) : a.key));
  const unrecorded = !latest.pointer || !sameObjects(latest.pointer.id, target.id);
  const change = { plan, versioned, records, state, learned: heads > 0, mustRecord: unrecorded, latest, behind, wholeBucket: true };
  const outcome = { target, plan, totals, unmanaged, changedUrls, unrecorded: unrecorded || needsRelease(change) };
  // A partial rollback is not the release: refuse to start one that could not finish.
  const blocked = plan.unrecoverable.length > 0 || plan.deleteRefusal !== undefined;
  if (options.dryRun || blocked) return { ...outcome, seconds: (performance.now() - started) / 1000 };

  // Only writes (archive copies, copies back, re-headers) tick; the deletes are one batch at the end.
  const progress = createProgress({ label: 'restore', total: plan.actions.filter((a) => a.kind !== 'delete').length, unit: 'obj', silent: options.quiet });
  const committed = await commitChange(store, {
    ...change,
    release: {
      environment: options.environment, reason: 'restore', restoredFrom: restoredFrom ?? target.id,
      objects: () => ({ ...target.objects }), manifest: target.manifest, previous: current,
    },
  }, {
    concurrency: options.concurrency, limiter: options.limiter, onDone: () => progress.tick(1), signal: options.signal,
  }).finally(() => progress.done());
  return { ...outcome, result: committed.result, release: committed.release, seconds: (performance.now() - started) / 1000 };
}
