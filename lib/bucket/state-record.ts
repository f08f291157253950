/**
 * The bucket's own record of what the last writer left: per key its ETag, SHA-256 and header hash (one
 * GET replaces a HEAD per object; a record is trusted only while the object's ETag is unchanged), the
 * release that describes the bucket, and the `unreleased` mark (a writer is changing the bucket, or
 * stopped while changing it). It is only ever
 * replaced conditionally, on the ETag its writer read, so two runs can never silently overwrite each
 * other's marks (stores that enforce conditional writes: R2, S3, Ceph, and the embedded bucket).
 */
import { AssetsError } from '../errors';
import type { ApplyResult } from '../execute/apply-plan';
import { headersHash, type RecordedObject } from '../plan/match';
import type { ObjectStore } from '../storage/object-store';
import { jsonEtag, putJsonObject, readObjectText, RecordTooLargeError } from '../storage/json-object';

export { STATE_PREFIX } from '../validate/object-key';
import { STATE_PREFIX } from '../validate/object-key';
import { isPreconditionFailed } from '../storage/store-error';
import { BadRecordError, parseStateRecord } from '../validate/records';
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
  /** The record exists but is not one (why): it is not used, and the next writer replaces it. */
  readonly damaged?: string;
}

/** The state record changed between this run's read and its write: another run (or a prune) is writing. */
export class StateConflictError extends AssetsError {
  constructor(what: string) {
    super('E_STATE_CONFLICT', `the bucket's state record changed while this run was ${what}: another run is writing to this bucket`,
      { hint: 'nothing was lost; run the command again once the other run has finished' });
  }
}

export async function readSyncState(store: ObjectStore): Promise<RecordsRead> {
  // Unusable (damaged, or too big to read): every object gets a HEAD instead, and the next writer replaces it
  // (on its ETag) and publishes; nothing is decided on a guess.
  const damaged = (etag: string, problem: string): RecordsRead => ({ records: new Map(), unreleased: true, etag, damaged: problem });
  const read = await readObjectText(store, STATE_KEY).catch((error: unknown) => {
    if (error instanceof RecordTooLargeError) return damaged(error.head.etag, error.message);
    throw error;
  });
  if (!read) return { records: new Map() };
  if ('records' in read) return read;
  try {
    const state = parseStateRecord(read.text, STATE_KEY);
    return {
      records: new Map(Object.entries(state.objects)), recordedAt: read.head.lastModified, release: state.release,
      unreleased: state.unreleased === true, etag: read.head.etag,
    };
  } catch (error) {
    if (!(error instanceof BadRecordError)) throw error;
    return damaged(read.head.etag, error.message);
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
    schema: 1, updatedAt: new Date().toISOString(), release: mark.release, unreleased: mark.unreleased || undefined, objects,
  };
  try {
    return (await putJsonObject(store, STATE_KEY, state, read.etag ? { ifMatch: read.etag } : { ifNoneMatch: '*' })).etag;
  } catch (error) {
    if (!isPreconditionFailed(error)) throw error;
    // A retried PUT whose first answer was lost meets its own write: that is this run's record, not another's.
    const mine = jsonEtag(state);
    if (await stateRecordIs(store, mine)) return mine;
    throw new StateConflictError(doing);
  }
}

/** Whether the state record is the one with this ETag (undefined: that there is none), by one HEAD. */
export async function stateRecordIs(store: ObjectStore, etag: string | undefined): Promise<boolean> {
  return (await store.head(STATE_KEY))?.etag === etag;
}

/** Lays what a run wrote and deleted over the records; true when anything changed. */
export function recordResult(records: Map<string, RecordedObject>, result: Pick<ApplyResult, 'written' | 'deleted'>): boolean {
  for (const w of result.written) {
    records.set(w.key, { etag: w.etag || w.local.md5, sha256: w.local.sha256, headersHash: headersHash(w.local) });
  }
  for (const key of result.deleted) records.delete(key);
  return result.written.length > 0 || result.deleted.length > 0;
}
