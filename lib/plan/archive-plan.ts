/**
 * Pure: which archive copies must run before a plan overwrites or deletes anything. Each object about
 * to lose its bytes is copied server-side to `_archive/<sha256>` (or `_archive/md5-<md5>` when only its
 * single-part ETag is known; `_archive/etag-<etag>` for a foreign multipart object), unless that content
 * is already archived.
 */
import { ARCHIVE_PREFIX, archiveKeys } from '../releases/release';
import { currentRecord, isMultipartEtag, type RecordedObject } from './match';
import type { SyncAction, SyncPlan } from './sync-plan';

export interface ArchiveNeeds {
  /** Archive key → the object whose current bytes it would preserve. */
  readonly copies: ReadonlyMap<string, string>;
}

export function archiveNeeds(plan: SyncPlan, records: ReadonlyMap<string, RecordedObject>): ArchiveNeeds {
  const copies = new Map<string, string>();
  for (const action of plan.actions) {
    if (action.kind !== 'update' && action.kind !== 'delete' && action.kind !== 'restore') continue;
    const { remote } = action;
    if (!remote) continue; // restoring a key that is gone: nothing to preserve
    const record = currentRecord(remote, records.get(action.key));
    const multipart = isMultipartEtag(remote.etag);
    const [archiveKey = `${ARCHIVE_PREFIX}etag-${remote.etag}`] = archiveKeys({ sha256: record?.sha256 || undefined, md5: multipart ? undefined : remote.etag });
    if (!copies.has(archiveKey)) copies.set(archiveKey, action.key);
  }
  return { copies };
}

/** The plan with archive copies of the contents not already in the archive, in front of everything else. */
export function withArchives(plan: SyncPlan, needs: ArchiveNeeds, archived: ReadonlySet<string>): SyncPlan {
  const archives: SyncAction[] = [...needs.copies]
    .filter(([archiveKey]) => !archived.has(archiveKey))
    .map(([archiveKey, sourceKey]) => ({ kind: 'archive', key: archiveKey, sourceKey }));
  return { ...plan, actions: [...archives, ...plan.actions] };
}
