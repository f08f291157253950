/**
 * R2_ARCHIVE_BUCKET switched on for a bucket that already has history: its release records, archive and
 * state stay in the images' bucket, where no command looks any more. Found by one small listing of
 * each bucket's `_releases/`, so every command that reads history can say so.
 */
import type { ObjectStore } from '../storage/object-store';
import { SplitStore } from '../storage/split-store';
import { LATEST_KEY, RELEASES_PREFIX } from './release';

/** Up to one page of release-record keys under `_releases/` in one bucket (the latest pointer left out). */
async function recordKeys(store: ObjectStore): Promise<string[]> {
  for await (const page of store.list({ prefix: RELEASES_PREFIX, pageSize: 1000 })) return page.map((o) => o.key).filter((k) => k !== LATEST_KEY);
  return [];
}

export interface HistoryLeftBehind {
  readonly imagesBucket: string;
  readonly archiveBucket: string;
  /** Release records in the images' bucket that the archive bucket does not have. */
  readonly records: number;
  readonly archiveRecords: number;
}

/** History in the images' bucket that the archive bucket lacks; undefined when there is none (or no archive bucket). */
export async function historyLeftBehind(store: ObjectStore): Promise<HistoryLeftBehind | undefined> {
  if (!(store instanceof SplitStore)) return undefined;
  const { images, records } = store.buckets;
  const [left, moved] = await Promise.all([recordKeys(images.store), recordKeys(records.store)]);
  const have = new Set(moved);
  const missing = left.filter((key) => !have.has(key));
  if (missing.length === 0) return undefined;
  return { imagesBucket: images.bucket, archiveBucket: records.bucket, records: missing.length, archiveRecords: moved.length };
}

/** What every history-reading command prints about it. */
export function formatHistoryLeftBehind(h: HistoryLeftBehind): string {
  return `R2_ARCHIVE_BUCKET is "${h.archiveBucket}", but the images' bucket "${h.imagesBucket}" still holds history there: `
    + `${h.records} release record(s) under _releases/ that "${h.archiveBucket}" does not have (it has ${h.archiveRecords}), with their _archive/ `
    + `and _state/. Releases, restore, prune, verify and sync read only "${h.archiveBucket}", so that history is hidden from them: `
    + 'move it with `gulp releases --move-history` (see the plan first with --dry-run), or unset R2_ARCHIVE_BUCKET to use it where it is';
}
