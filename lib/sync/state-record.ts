/**
 * The bucket's own record of what the last writer left: per key its ETag, SHA-256 and header hash (one
 * GET replaces a HEAD per object; a record is trusted only while the object's ETag is unchanged), the
 * release that describes the bucket, and two marks — `unreleased` (a writer is changing the bucket, or
 * stopped while changing it) and `pruning` (a prune is deleting the tool's records). It is only ever
 * replaced conditionally, on the ETag its writer read, so two runs can never silently overwrite each
 * other's marks (on stores that enforce conditional writes: R2, S3, Ceph; s3rver ignores them).
 */
import { AssetsError } from '../errors';
import type { ApplyResult } from '../execute/apply-plan';
import { headersHash, type RecordedObject } from '../plan/match';
import type { ObjectStore } from '../storage/object-store';
import { putJsonObject, readObjectText } from '../storage/json-object';

export const STATE_PREFIX = '_state/';
export const STATE_KEY = `${STATE_PREFIX}sync-state.json`;

/** What the state record says of the bucket beyond its objects. */
export interface ReleaseMark {
  /** The release the bucket was left at by the last writer: lets a no-change sync skip reading the pointer. */
  readonly release?: string;
  /**
   * A writer is changing, or stopped while changing, the bucket: it holds changes no release records.
   * Set before a run's first write, cleared when the run publishes; the next writer publishes for it.
   */
  readonly unreleased?: boolean;
  /** A prune started at this time (ISO) and has not finished: writers wait, so it never deletes what they rely on. */
  readonly pruning?: string;
}

export interface SyncState extends ReleaseMark {
  readonly schema: 1;
  readonly updatedAt: string;
  readonly objects: Readonly<Record<string, RecordedObject>>;
}

export interface RecordsRead extends ReleaseMark {
  readonly records: Map<string, RecordedObject>;
  /** When the record was written (the store's clock): an object modified later was changed after it. */
  readonly recordedAt?: Date;
  /** The record's ETag as read: the condition for replacing it. Undefined when there is none. */
  readonly etag?: string;
}

/** The state record changed between this run's read and its write: another run (or a prune) is writing. */
export class StateConflictError extends AssetsError {
  constructor(what: string) {
    super('E_STATE_CONFLICT', `the bucket's state record changed while this run was ${what}: another run is writing to this bucket`,
      { hint: 'nothing was lost; run the command again once the other run has finished' });
  }
}

/** How long a `pruning` mark holds writers back: past it, the prune is taken for one that was killed. */
export const PRUNE_MARK_MS = 60 * 60 * 1000;

/** A prune is deleting the tool's records: a writer must not start (it could rely on a copy being deleted). */
export class PruneRunningError extends AssetsError {
  constructor(since: string) {
    const until = new Date(Date.parse(since) + PRUNE_MARK_MS).toISOString();
    super('E_PRUNE_RUNNING', `a prune of this bucket started at ${since} and has not finished, so nothing was written`,
      { hint: `run the command again when it has; if no prune is running (one was killed), \`gulp prune --keep <n> --yes\` finishes it, or wait until ${until}` });
  }
}

/** Whether a `pruning` mark still holds writers back at `now`. */
export function pruneRunning(mark: ReleaseMark, now = Date.now()): boolean {
  return mark.pruning !== undefined && now - Date.parse(mark.pruning) < PRUNE_MARK_MS;
}

export async function readSyncState(store: ObjectStore): Promise<RecordsRead> {
  const read = await readObjectText(store, STATE_KEY);
  if (!read) return { records: new Map() };
  try {
    const state = JSON.parse(read.text) as SyncState;
    return {
      records: new Map(Object.entries(state.objects ?? {})), recordedAt: read.head.lastModified, release: state.release,
      unreleased: state.unreleased === true, pruning: typeof state.pruning === 'string' ? state.pruning : undefined, etag: read.head.etag,
    };
  } catch {
    // Unreadable: every object gets a HEAD instead, and the next writer publishes; nothing is decided on a guess.
    return { records: new Map(), unreleased: true, etag: read.head.etag };
  }
}

/**
 * Replaces the state record only if it still has the ETag `read` had (or, with none, if there is none);
 * returns the new ETag. Throws StateConflictError when someone else replaced it in between.
 */
export async function writeSyncState(
  store: ObjectStore, records: ReadonlyMap<string, RecordedObject>, mark: ReleaseMark, read: { etag?: string }, doing = 'running',
): Promise<string> {
  const objects = Object.fromEntries([...records].sort(([a], [b]) => (a < b ? -1 : 1)));
  const state: SyncState = {
    schema: 1, updatedAt: new Date().toISOString(), release: mark.release, unreleased: mark.unreleased || undefined, pruning: mark.pruning, objects,
  };
  try {
    return (await putJsonObject(store, STATE_KEY, state, read.etag ? { ifMatch: read.etag } : { ifNoneMatch: '*' })).etag;
  } catch (error) {
    if ((error as { status?: number }).status === 412) throw new StateConflictError(doing);
    throw error;
  }
}

/** Lays what a run wrote and deleted over the records; true when anything changed. */
export function recordResult(records: Map<string, RecordedObject>, result: Pick<ApplyResult, 'written' | 'deleted'>): boolean {
  for (const w of result.written) {
    records.set(w.key, { etag: w.etag || w.local.md5, sha256: w.local.sha256, headersHash: headersHash(w.local) });
  }
  for (const key of result.deleted) records.delete(key);
  return result.written.length > 0 || result.deleted.length > 0;
}
