/**
 * `gulp mirror` as a library call: make the target store hold the source's latest release, byte for
 * byte (rclone `sync --checksum` between two remotes, restic `copy`):
 *
 *   source: the latest pointer and its release record (two GETs);
 *   target: its listing and state record → the pure plan (sync's matcher: what is already there with the
 *   same content and headers is skipped) → dry run stops → preserveFirst and the one write path (writer
 *   lock, archive of what is overwritten or deleted, objects streamed GET → PUT from the source, deletes
 *   last) → the target's own release (reason `mirror`, naming the source's), so it can be rolled back.
 *
 * A mirror with nothing to do costs the two source GETs, the target's listing and one GET.
 */
import { AssetsError } from '../errors';
import type { ApplyResult } from '../execute/apply-plan';
import { commitChange, needsRelease, type WriteRunOptions } from '../execute/commit-change';
import { preserveFirst } from '../execute/preserve';
import { planTotals, type PlanTotals } from '../plan/plan-cost';
import type { SyncPlan } from '../plan/sync-plan';
import type { ServedHeaders } from '../plan/explain-changes';
import { changedSinceRecord } from '../plan/bucket-drift';
import type { Release } from '../releases/release';
import { latestId, readLatest, readRelease } from '../releases/release-store';
import type { ObjectStore } from '../storage/object-store';
import { isReserved } from '../bucket/object-scope';
import { listRemote, planLooking } from '../bucket/listing';
import { DEFAULT_KEY_RULES, managedKeys, splitManaged, type UnmanagedTally } from '../bucket/managed-keys';
import { readSyncState } from '../bucket/state-record';
import { createProgress } from '../util/progress';
import { mirroredObjects, planMirror } from './mirror-plan';
import { copyReleaseManifest, sourceReader } from './source-reader';

/** `environment` is the target's; `keys` are the target's (the release's keys always are the tool's). */
export interface MirrorOptions extends WriteRunOptions {
  /** The source's environment name, for the release record and messages. */
  readonly source: string;
  /** Called with the plan once it is made, before any write. */
  readonly onPlan?: (planned: Pick<MirrorOutcome, 'from' | 'plan' | 'totals' | 'unmanaged'>) => void;
}

export interface MirrorOutcome {
  /** The source's latest release: what the target now holds (or would, for a dry run). */
  readonly from: Release;
  readonly plan: SyncPlan;
  readonly totals: PlanTotals;
  readonly unmanaged: UnmanagedTally;
  readonly result?: ApplyResult;
  /** The target's new release (none when its latest already described it). */
  readonly release?: Release;
  readonly unrecorded?: string;
  /** The target's release that describes it after the run. */
  readonly describedBy?: string;
  readonly seconds: number;
}

/** The source's latest release; a source with none (never synced) says what to run first. */
export async function latestOf(source: ObjectStore, environment: string): Promise<Release> {
  const id = latestId(await readLatest(source)); // a damaged pointer is refused there, with its next step
  if (!id) {
    throw new AssetsError('E_NO_RELEASE', `--env ${environment} has no release to mirror: its bucket has never been synced (or its releases are elsewhere)`, {
      hint: `run \`gulp sync --env ${environment}\` first (every successful sync records a release), or check that --env names the store you meant`,
    });
  }
  return readRelease(source, id);
}

export async function runMirror(source: ObjectStore, target: ObjectStore, options: MirrorOptions): Promise<MirrorOutcome> {
  const started = performance.now();
  const from = await latestOf(source, options.source);
  const state = await readSyncState(target);
  const inScope = (key: string) => !isReserved(key);
  const { objects: listed, pages } = await listRemote(target, inScope);
  const { records } = state;
  const keys = managedKeys(options.keys ?? DEFAULT_KEY_RULES);
  // The release's keys are the mirror's whatever the target's rules say; of the rest, only the tool's may be deleted.
  const rules = { ...keys, classify: (key: string) => (Object.hasOwn(from.objects, key) ? 'image' as const : keys.classify(key)) };
  const { managed: remote, unmanaged, gets } = await splitManaged(target, listed, rules, records);
  const inRun = (key: string) => inScope(key) && rules.classify(key) !== 'excluded';
  const behind = changedSinceRecord({ remote, records, recordedAt: state.recordedAt, wanted: new Set(Object.keys(from.objects)), inScope: inRun });
  // verify's rule: an object modified in a later second than the record may carry other headers under the same
  // ETag (a copy behind the tool's back), so it is HEADed rather than judged by its record.
  const recordedSecond = state.recordedAt && Math.floor(state.recordedAt.getTime() / 1000);
  for (const o of remote) if (recordedSecond !== undefined && Math.floor(o.lastModified.getTime() / 1000) > recordedSecond) records.delete(o.key);
  const served = new Map<string, ServedHeaders>();
  const input = { source: from, remote, records, served, limits: options.limits };
  const { planned, heads } = await planLooking(target, () => planMirror(input), records, served);
  const { plan, versioned, requests } = await preserveFirst(target, planned, records);
  const change = { plan, versioned, records, state, learned: heads > 0, behind, wholeBucket: true };
  const publishes = needsRelease(change);
  // The target's requests; the source's reads (two GETs, one per object copied) are billed to its account.
  const totals = planTotals(plan, { listPages: pages, heads: heads + requests.head, gets: (publishes ? 3 : 1) + requests.get + gets });
  const outcome = { from, plan, totals, unmanaged };
  options.onPlan?.(outcome);
  if (options.dryRun) return { ...outcome, seconds: (performance.now() - started) / 1000 };

  if (publishes && from.manifest) await copyReleaseManifest(source, target, from.manifest, options.source);
  const progress = createProgress({ label: 'mirror', total: plan.actions.filter((a) => a.kind !== 'delete').length, unit: 'obj', silent: options.quiet });
  const committed = await commitChange(target, {
    ...change,
    release: {
      environment: options.environment, reason: 'mirror', restoredFrom: `${options.source} release ${from.id}`,
      objects: () => mirroredObjects(from), manifest: from.manifest,
    },
  }, {
    concurrency: options.concurrency, limiter: options.limiter, signal: options.signal,
    readBody: sourceReader(source, { environment: options.source, release: from.id }),
    onDone: (_action, bytes) => progress.tick(1, bytes),
  }).finally(() => progress.done());
  return {
    ...outcome, result: committed.result, release: committed.release, unrecorded: committed.unrecorded, describedBy: committed.describedBy,
    seconds: (performance.now() - started) / 1000,
  };
}
