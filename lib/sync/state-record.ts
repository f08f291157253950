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
  /** The latest release this bucket's writer knows of: lets a no-change sync skip reading the pointer. */
  readonly release?: string;
  readonly objects: Readonly<Record<string, RecordedObject>>;
}

export interface RecordsRead {
  readonly records: Map<string, RecordedObject>;
  /** When the last sync wrote the record (the store's clock): an object modified later was changed behind its back. */
  readonly recordedAt?: Date;
  readonly release?: string;
}

export async function readSyncState(store: ObjectStore): Promise<RecordsRead> {
  const read = await readObjectText(store, STATE_KEY);
  if (!read) return { records: new Map() };
  try {
    const state = JSON.parse(read.text) as SyncState;
    return { records: new Map(Object.entries(state.objects ?? {})), recordedAt: read.head.lastModified, release: state.release };
  } catch {
    return { records: new Map() }; // unreadable: every object gets a HEAD instead; nothing is decided on a guess
  }
}

export async function writeSyncState(store: ObjectStore, records: ReadonlyMap<string, RecordedObject>, release?: string): Promise<void> {
  const objects = Object.fromEntries([...records].sort(([a], [b]) => (a < b ? -1 : 1)));
  await putJsonObject(store, STATE_KEY, { schema: 1, updatedAt: new Date().toISOString(), release, objects });
}

/** Lays what a run wrote and deleted over the records; true when anything changed. */
export function recordResult(records: Map<string, RecordedObject>, result: Pick<ApplyResult, 'written' | 'deleted'>): boolean {
  for (const w of result.written) {
    records.set(w.key, { etag: w.etag || w.local.md5, sha256: w.local.sha256, headersHash: headersHash(w.local) });
  }
  for (const key of result.deleted) records.delete(key);
  return result.written.length > 0 || result.deleted.length > 0;
}
