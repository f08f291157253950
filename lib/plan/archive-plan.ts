/**
 * Pure: which archive copies must run before a plan overwrites or deletes anything. Each object about
 * to lose its bytes is copied server-side to `_archive/<sha256>` (or `_archive/md5-<md5>` when only its
 * single-part ETag is known; `_archive/etag-<etag>` for a foreign multipart object), unless that content
 * is already archived — and "already archived" means an archive object with the content's ETag and size
 * is there: one whose bytes do not match its name is replaced, never trusted.
 */
import { ARCHIVE_PREFIX, archiveKeys } from '../releases/release';
import { currentRecord, isMultipartEtag, type RecordedObject } from './match';
import type { ExpectedCopy, SyncAction, SyncPlan } from './sync-plan';

export interface ArchiveCopy {
  /** The object whose current bytes are preserved. */
  readonly sourceKey: string;
  /** Its ETag and size as listed: what the archived copy must hold. */
  readonly expect: ExpectedCopy;
}

export interface ArchiveNeeds {
  /** Archive key → the copy that would preserve it. */
  readonly copies: ReadonlyMap<string, ArchiveCopy>;
}

export function archiveNeeds(plan: SyncPlan, records: ReadonlyMap<string, RecordedObject>): ArchiveNeeds {
  const copies = new Map<string, ArchiveCopy>();
  for (const action of plan.actions) {
    if (action.kind !== 'update' && action.kind !== 'delete' && action.kind !== 'restore') continue;
    if (action.kind === 'update' && action.damaged) continue; // its bytes are no release's
    const { remote } = action;
    if (!remote) continue; // restoring a key that is gone: nothing to preserve
    const record = currentRecord(remote, records.get(action.key));
    const multipart = isMultipartEtag(remote.etag);
    const [archiveKey = `${ARCHIVE_PREFIX}etag-${remote.etag}`] = archiveKeys({ sha256: record?.sha256 || undefined, md5: multipart ? undefined : remote.etag });
    if (!copies.has(archiveKey)) copies.set(archiveKey, { sourceKey: action.key, expect: { etag: remote.etag, size: remote.size } });
  }
  return { copies };
}

/** Whether an archive object holds the content it is named for (by what its listing or HEAD shows). */
export function holds(archived: ExpectedCopy | undefined, expected: ExpectedCopy): boolean {
  if (!archived || archived.size !== expected.size) return false;
  return isMultipartEtag(expected.etag) || archived.etag === expected.etag;
}

/** The plan with archive copies of the contents not already (rightly) in the archive, in front of everything else. */
export function withArchives(plan: SyncPlan, needs: ArchiveNeeds, archived: ReadonlyMap<string, ExpectedCopy>): SyncPlan {
  const archives: SyncAction[] = [...needs.copies]
    .filter(([archiveKey, copy]) => !holds(archived.get(archiveKey), copy.expect))
    .map(([archiveKey, copy]) => ({ kind: 'archive', key: archiveKey, sourceKey: copy.sourceKey, expect: copy.expect }));
  return { ...plan, actions: [...archives, ...plan.actions] };
}
