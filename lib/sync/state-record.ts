/**
 * The bucket's own record of what the last sync wrote: per key its ETag, SHA-256 and header hash.
 * One GET replaces a HEAD per object; a record is trusted only while the object's ETag is unchanged.
 */
import type { ApplyResult } from '../execute/apply-plan';
import { headersHash, type RecordedObject } from '../plan/match';
import type { ObjectStore } from '../storage/object-store';
import { putJsonObject, readObjectText } from '../storage/json-object';

export const STATE_PREFIX = '_state/';
export const STATE_KEY = `${STATE_PREFIX}sync-state.json`;

export interface SyncState {
  readonly schema: 1;
  readonly updatedAt: string;
  /** The release the bucket was left at by the last writer: lets a no-change sync skip reading the pointer. */
  readonly release?: string;
  /**
   * A writer is changing, or stopped while changing, the bucket: it holds changes no release records.
   * Set before a run's first write, cleared when the run publishes; the next writer publishes for it.
   */
  readonly unreleased?: boolean;
  readonly objects: Readonly<Record<string, RecordedObject>>;
}

/** What the state record says of releases. */
export interface ReleaseMark {
  readonly release?: string;
  readonly unreleased?: boolean;
}

export interface RecordsRead extends ReleaseMark {
  readonly records: Map<string, RecordedObject>;
  /** When the last sync wrote the record (the store's clock): an object modified later was changed behind its back. */
  readonly recordedAt?: Date;
}

export async function readSyncState(store: ObjectStore): Promise<RecordsRead> {
  const read = await readObjectText(store, STATE_KEY);
  if (!read) return { records: new Map() };
  try {
    const state = JSON.parse(read.text) as SyncState;
    return {
      records: new Map(Object.entries(state.objects ?? {})), recordedAt: read.head.lastModified, release: state.release,
      unreleased: state.unreleased === true,
    };
  } catch {
    // Unreadable: every object gets a HEAD instead, and the next writer publishes; nothing is decided on a guess.
    return { records: new Map(), unreleased: true };
  }
}

export async function writeSyncState(store: ObjectStore, records: ReadonlyMap<string, RecordedObject>, mark: ReleaseMark): Promise<void> {
  const objects = Object.fromEntries([...records].sort(([a], [b]) => (a < b ? -1 : 1)));
  const state: SyncState = { schema: 1, updatedAt: new Date().toISOString(), release: mark.release, unreleased: mark.unreleased || undefined, objects };
  await putJsonObject(store, STATE_KEY, state);
}

/** Lays what a run wrote and deleted over the records; true when anything changed. */
export function recordResult(records: Map<string, RecordedObject>, result: Pick<ApplyResult, 'written' | 'deleted'>): boolean {
  for (const w of result.written) {
    records.set(w.key, { etag: w.etag || w.local.md5, sha256: w.local.sha256, headersHash: headersHash(w.local) });
  }
  for (const key of result.deleted) records.delete(key);
  return result.written.length > 0 || result.deleted.length > 0;
}
