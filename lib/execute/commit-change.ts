/**
 * The one write path. Every command that changes the bucket's images (sync, verify --repair, restore
 * in all its modes) hands its plan here, after preserveFirst put the archive copies in front of it;
 * this step owns the order:
 *
 *   0. take the bucket's writer lock (one writer at a time; a lock left by a killed run is taken over);
 *   1. mark the state record "unreleased", conditionally on the record this run planned from (so a
 *      run that planned on a state another run has since changed writes nothing, and a run killed at any
 *      point leaves a bucket the next writer knows to record), leaving out the records of the objects it
 *      re-headers in place (a killed run's half-done copies are looked at, not trusted);
 *   2. apply the plan with the one executor (archive copies, writes, deletes last);
 *   3. publish the release that describes the bucket (or adopt the record a stopped run left, or
 *      nothing when the latest release already describes it);
 *   4. save the state record: the records of what is there, and the release that describes it — or,
 *      when anything failed or another run wrote meanwhile, still "unreleased", so the next writer records;
 *   5. give the lock back.
 *
 * Prune, which deletes only the tool's own records, goes through commitRecordDeletes.
 */
import type { RecordedObject } from '../plan/match';
import type { DeleteLimits, SyncPlan } from '../plan/sync-plan';
import type { KeyRules } from '../bucket/managed-keys';
import type { AdaptiveLimiter } from './adaptive-limiter';
import { previousRelease, recordRelease, type Recorded, type ReleaseIntent } from '../releases/publish';
import type { Release } from '../releases/release';
import { readLatest, type LatestRead } from '../releases/release-store';
import type { ObjectStore } from '../storage/object-store';
import {
  readSyncState, recordResult, stateRecordIs, StateConflictError, writeSyncState, type RecordsRead, type ReleaseMark,
} from '../bucket/state-record';
import { messageOf } from '../errors';
import { describeHolder } from '../bucket/lock-record';
import { WriterLock } from '../bucket/writer-lock';
import { anySignal, applyPlan, type ApplyOptions, type ApplyResult, type StopSignal } from './apply-plan';

export interface ImageChange {
  /** The plan, archive copies included (preserveFirst). */
  readonly plan: SyncPlan;
  readonly versioned: boolean;
  /** What is known of the bucket's objects (state record and HEADs): updated with this run's writes, then saved. */
  readonly records: Map<string, RecordedObject>;
  /** The state record as this run read it (its marks and ETag). */
  readonly state: Omit<RecordsRead, 'records'>;
  /** The plan covers every image in the bucket (no --type/--size/--filter/--changed-files). */
  readonly wholeBucket: boolean;
  /** Why the listing shows the bucket changed after its state record was written (changedSinceRecord). */
  readonly behind?: string;
  /** The planner HEADed objects: their records are worth saving even when nothing changes. */
  readonly learned?: boolean;
  /** Publish even with nothing to apply: the latest release does not record the state the bucket is in (a rollback). */
  readonly mustRecord?: boolean;
  readonly release: ReleaseIntent;
  /** The pointer as the caller read it (before planning); else it is read here, before the first write. */
  readonly latest?: LatestRead;
}

/** What every command that writes images through commitChange is told (mirror, rollback). */
export interface WriteRunOptions {
  /** Named in the release record. */
  readonly environment: string;
  readonly limits: DeleteLimits;
  /** Which keys are the tool's: only those may be deleted. */
  readonly keys?: KeyRules;
  readonly dryRun: boolean;
  readonly concurrency: number;
  readonly limiter?: AdaptiveLimiter;
  readonly quiet?: boolean;
  /** Stops new writes (Ctrl-C): what was done is recorded, the rest is left for the next run. */
  readonly signal?: StopSignal;
}

export interface CommitOutcome {
  readonly result?: ApplyResult;
  /** The release this run made the latest (new, or adopted from a stopped run). */
  readonly release?: Release;
  readonly adopted?: boolean;
  /** Why the bucket is left with changes no release records, though this run succeeded. */
  readonly unrecorded?: string;
  /** The release that describes the bucket after this run (the latest, new or not), when one does. */
  readonly describedBy?: string;
}

const NOTHING_APPLIED: ApplyResult = {
  completed: { archive: 0, create: 0, update: 0, restore: 0, retag: 0, delete: 0 }, written: [], deleted: [], failures: [], bytesUploaded: 0,
};

/** Whether this change must end in a release: it writes, or the bucket holds changes no release records yet. */
export function needsRelease(change: Pick<ImageChange, 'plan' | 'state' | 'mustRecord' | 'behind'>): boolean {
  return change.plan.actions.length > 0 || !change.state.release || change.state.unreleased === true
    || change.mustRecord === true || change.behind !== undefined;
}

/**
 * Saves the final state record on the ETag this run's mark left. If another run replaced the record in
 * between, its writes overlapped this run's: the record is saved "unreleased" on top of the other's.
 */
async function saveState(store: ObjectStore, records: ReadonlyMap<string, RecordedObject>, mark: ReleaseMark, etag: string): Promise<void> {
  try {
    await writeSyncState(store, records, mark, { etag }, 'writing');
  } catch (error) {
    if (!(error instanceof StateConflictError)) throw error;
    for (let attempt = 1; ; attempt += 1) {
      const other = await readSyncState(store);
      try {
        await writeSyncState(store, new Map([...other.records, ...records]), { ...other, unreleased: true }, other, 'writing');
        return;
      } catch (again) {
        if (!(again instanceof StateConflictError) || attempt >= 3) throw again;
      }
    }
  }
}

/** What `gulp releases` and a waiting run call the command that holds the lock. */
const COMMAND: Record<ReleaseIntent['reason'], string> = { sync: 'sync', repair: 'verify --repair', restore: 'restore --release', rebuild: 'restore', mirror: 'mirror' };

export async function commitChange(store: ObjectStore, change: ImageChange, apply: ApplyOptions): Promise<CommitOutcome> {
  const { records, state } = change;
  if (!needsRelease(change)) {
    if (change.learned) await writeSyncState(store, records, state, state).catch(() => undefined); // only saves HEADs
    return { describedBy: state.release };
  }
  // Stopped (Ctrl-C) before taking the lock: nothing written, nothing marked.
  if (apply.signal?.aborted) return { result: { ...NOTHING_APPLIED, stopped: messageOf(apply.signal.reason) } };
  let waited = false;
  const lock = await WriterLock.acquire(store, COMMAND[change.release.reason], (holder) => {
    if (!waited) process.stderr.write(`waiting for ${describeHolder(holder)} to finish writing to this bucket…\n`);
    waited = true;
  });
  try {
    return await commitLocked(store, { ...change, state: lock.tookOver ? { ...state, unreleased: true } : state }, { ...apply, signal: anySignal(lock, apply.signal) }, lock);
  } finally {
    await lock.release().catch(() => undefined); // a lock not given back runs out with its lease
  }
}

async function commitLocked(store: ObjectStore, change: ImageChange, apply: ApplyOptions, lock: StopSignal): Promise<CommitOutcome> {
  const { plan, records, state } = change;
  // The plan was made on the state record as read; a run that wrote since (perhaps the one this run waited for) makes it stale.
  if (!(await stateRecordIs(store, state.etag))) throw new StateConflictError('planning');
  const latest = change.latest ?? (await readLatest(store));
  const previous = await previousRelease(store, change.release, latest); // before any write: a damaged record stops a sync here
  // The mark, and no record of the objects this run re-headers in place: a copy that keeps the bytes keeps the ETag, so
  // only a missing record makes the next run look (HEAD) at what a run killed part-way may have done to them. A
  // content change needs no such care: it changes the ETag, and a record counts only while the ETag is its own.
  const touched = new Set(plan.actions.filter((a) => a.kind === 'retag').map((a) => a.key));
  const marked = await writeSyncState(store, new Map([...records].filter(([key]) => !touched.has(key))), { release: state.release, unreleased: true }, state, 'planning');
  const result = plan.actions.length > 0 ? await applyPlan(plan, store, apply) : NOTHING_APPLIED;
  recordResult(records, result);
  // A run whose lock is gone writes nothing more: its mark stays, and the lock's new holder records the bucket.
  // (Stopped by Ctrl-C instead, it saves its records below, still "unreleased", like a run that failed.)
  if (lock.aborted) return { result: { ...result, stopped: result.stopped ?? messageOf(lock.reason) } };
  const stillUnreleased = { release: state.release, unreleased: true };
  if (result.failures.length > 0 || result.stopped) {
    const written = new Set(result.written.map((w) => w.key));
    for (const key of touched) if (!written.has(key)) records.delete(key); // its copy may have landed unseen
    await saveState(store, records, stillUnreleased, marked);
    return { result };
  }
  // A run that sees part of the bucket cannot vouch for the rest after a stopped or overlapping run.
  if (!change.wholeBucket && (state.unreleased || change.behind)) {
    await saveState(store, records, stillUnreleased, marked);
    return { result, unrecorded: 'the bucket holds changes outside this run\'s scope that no release records (a run stopped or overlapped): '
      + 'run `gulp sync` without --type/--size/--filter/--changed-files to record them' };
  }
  let recorded: Recorded;
  try {
    recorded = await recordRelease(store, { ...change.release, previous }, latest, result, {
      versioned: change.versioned, lookForOrphan: state.unreleased === true || change.behind !== undefined || !state.release,
    });
  } catch (error) {
    await saveState(store, records, stillUnreleased, marked).catch(() => undefined);
    throw error;
  }
  await saveState(store, records, { release: recorded.id }, marked);
  return { result, release: recorded.release, adopted: recorded.adopted, describedBy: recorded.id };
}

/**
 * Prune's path: deletes of the tool's own records, in passes (release records, then the archived copies
 * they referred to). A pass runs only when every delete before it succeeded: one DeleteObjects batch (or
 * the split store's two buckets) has no order, and a record whose delete failed must keep its copies.
 * No archive, no release: nothing a release describes is touched.
 */
export async function commitRecordDeletes(store: ObjectStore, plan: SyncPlan, apply: ApplyOptions): Promise<ApplyResult> {
  const actions = plan.actions.filter((a) => a.kind === 'delete');
  return actions.length === 0 ? NOTHING_APPLIED : applyPlan({ ...plan, actions }, store, apply);
}
