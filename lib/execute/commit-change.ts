/**
 * The one write path. Every command that changes the bucket's images (sync, verify --repair, restore
 * in all its modes) hands its plan here, after preserveFirst put the archive copies in front of it;
 * this step owns the order:
 *
 *   1. mark the state record "unreleased" (before the first write, so a run killed at any point
 *      leaves a bucket the next writer knows to record);
 *   2. apply the plan with the one executor (archive copies, writes, deletes last);
 *   3. publish the release that describes the bucket (or adopt the record a stopped run left, or
 *      nothing when the latest release already describes it);
 *   4. write the state record: the records of what is there, and the release that describes it —
 *      or, when anything failed, still "unreleased", so the next writer publishes.
 *
 * Prune, which deletes only the tool's own records, goes through commitRecordDeletes.
 */
import type { RecordedObject } from '../plan/match';
import type { SyncPlan } from '../plan/sync-plan';
import { recordRelease, type Recorded, type ReleaseIntent } from '../releases/publish';
import type { Release } from '../releases/release';
import { readLatest, type LatestRead } from '../releases/release-store';
import type { ObjectStore } from '../storage/object-store';
import { recordResult, writeSyncState, type ReleaseMark } from '../sync/state-record';
import { applyPlan, type ApplyOptions, type ApplyResult } from './apply-plan';

export interface ImageChange {
  /** The plan, archive copies included (preserveFirst). */
  readonly plan: SyncPlan;
  readonly versioned: boolean;
  /** What is known of the bucket's objects (state record and HEADs): updated with this run's writes, then saved. */
  readonly records: Map<string, RecordedObject>;
  /** What the state record said before this run. */
  readonly state: ReleaseMark;
  /** The planner HEADed objects: their records are worth saving even when nothing changes. */
  readonly learned?: boolean;
  /** Publish even with nothing to apply: the latest release does not record the state the bucket is in (a rollback). */
  readonly mustRecord?: boolean;
  readonly release: ReleaseIntent;
  /** The pointer as the caller read it (before planning); else it is read here, before the first write. */
  readonly latest?: LatestRead;
}

export interface CommitOutcome {
  readonly result?: ApplyResult;
  /** The release this run made the latest (new, or adopted from a stopped run). */
  readonly release?: Release;
  readonly adopted?: boolean;
}

const NOTHING_APPLIED: ApplyResult = {
  completed: { archive: 0, create: 0, update: 0, restore: 0, retag: 0, delete: 0 }, written: [], deleted: [], failures: [], bytesUploaded: 0,
};

/** Whether this change must end in a release: it writes, or the bucket holds changes no release records yet. */
export function needsRelease(change: Pick<ImageChange, 'plan' | 'state' | 'mustRecord'>): boolean {
  return change.plan.actions.length > 0 || !change.state.release || change.state.unreleased === true || change.mustRecord === true;
}

export async function commitChange(store: ObjectStore, change: ImageChange, apply: ApplyOptions): Promise<CommitOutcome> {
  const { plan, records, state } = change;
  if (!needsRelease(change)) {
    if (change.learned) await writeSyncState(store, records, state);
    return {};
  }
  const latest = change.latest ?? (await readLatest(store));
  const writes = plan.actions.length > 0;
  if (writes && !state.unreleased) await writeSyncState(store, records, { release: state.release, unreleased: true });
  const result = writes ? await applyPlan(plan, store, apply) : NOTHING_APPLIED;
  recordResult(records, result);
  if (result.failures.length > 0 || result.stopped) {
    await writeSyncState(store, records, { release: state.release, unreleased: true });
    return { result };
  }
  let recorded: Recorded;
  try {
    recorded = await recordRelease(store, change.release, latest, result, {
      versioned: change.versioned, lookForOrphan: state.unreleased === true || !state.release,
    });
  } catch (error) {
    await writeSyncState(store, records, { release: state.release, unreleased: true }).catch(() => undefined);
    throw error;
  }
  await writeSyncState(store, records, { release: recorded.id });
  return { result, release: recorded.release, adopted: recorded.adopted };
}

/**
 * Prune's path: deletes of the tool's own records, in passes (release records, then the archived copies
 * they referred to). A pass runs only when every delete before it succeeded: one DeleteObjects batch (or
 * the split store's two buckets) has no order, and a record whose delete failed must keep its copies.
 * No archive, no release: nothing a release describes is touched.
 */
export async function commitRecordDeletes(
  store: ObjectStore, plan: SyncPlan, passes: readonly ((key: string) => boolean)[], apply: ApplyOptions,
): Promise<ApplyResult> {
  const deleted: string[] = [];
  let last = NOTHING_APPLIED;
  for (const [index, inPass] of passes.entries()) {
    const actions = plan.actions.filter((a) => a.kind === 'delete' && inPass(a.key));
    if (actions.length === 0) continue;
    last = await applyPlan({ ...plan, actions }, store, apply);
    deleted.push(...last.deleted);
    if (last.failures.length > 0 && index < passes.length - 1) {
      const later = passes.length - 1 - index;
      return { ...last, deleted, completed: { ...last.completed, delete: deleted.length },
        stopped: `${later} later pass${later === 1 ? '' : 'es'} skipped: ${last.failures.length} delete(s) failed` };
    }
  }
  return { ...last, deleted, completed: { ...last.completed, delete: deleted.length } };
}
