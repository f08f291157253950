/**
 * The bucket's own record of what the last sync wrote: per key its ETag, SHA-256 and header hash.
 * One GET replaces a HEAD per object; a record is trusted only while the object's ETag is unchanged.
 */
import type { ApplyResult } from '../execute/apply-plan';
import { headersHash, type RecordedObject } from '../plan/match';
import type { ObjectStore } from '../storage/object-store';
import { digestsOf } from '../util/hash';

export const STATE_KEY = '_state/sync-state.json';

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
  let body: Buffer;
  let recordedAt: Date;
  try {
    const { body: stream, head } = await store.get(STATE_KEY);
    const chunks: Uint8Array[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    body = Buffer.concat(chunks);
    recordedAt = head.lastModified;
  } catch (error) {
    if ((error as { code?: string }).code === 'NoSuchKey') return { records: new Map() };
    throw error;
  }
  try {
    const state = JSON.parse(body.toString('utf8')) as SyncState;
    return { records: new Map(Object.entries(state.objects ?? {})), recordedAt, release: state.release };
  } catch {
    return { records: new Map() }; // unreadable: every object gets a HEAD instead; nothing is decided on a guess
  }
}

export async function writeSyncState(store: ObjectStore, records: ReadonlyMap<string, RecordedObject>, release?: string): Promise<void> {
  const objects = Object.fromEntries([...records].sort(([a], [b]) => (a < b ? -1 : 1)));
  const body = Buffer.from(JSON.stringify({ schema: 1, updatedAt: new Date().toISOString(), release, objects }));
  await store.put({
    key: STATE_KEY, body, md5: digestsOf(body).md5, contentType: 'application/json',
    cacheControl: 'no-store', metadata: {},
  });
}

/** Lays what a run wrote and deleted over the records; true when anything changed. */
export function recordResult(records: Map<string, RecordedObject>, result: Pick<ApplyResult, 'written' | 'deleted'>): boolean {
  for (const w of result.written) {
    records.set(w.key, { etag: w.etag || w.local.md5, sha256: w.local.sha256, headersHash: headersHash(w.local) });
  }
  for (const key of result.deleted) records.delete(key);
  return result.written.length > 0 || result.deleted.length > 0;
}
