/**
 * Pure: what `gulp prune --keep n` deletes. The latest release and its n−1 ancestors are kept (by
 * parent links, never key names), and records newer than the latest; every archived copy a kept release could need (any object's content, and its
 * image manifest) is kept; the records of the other releases and the archived copies nothing kept
 * refers to are deleted. Copies younger than the grace period are kept even when unreferenced: a sync
 * running now may have archived bytes that the release it is about to publish refers to.
 */
import { ARCHIVE_PREFIX, archiveKeys, type Release } from '../releases/release';
import type { ListedObject } from '../storage/object-store';
import { overLimits, type DeleteLimits, type SyncPlan } from './sync-plan';

/** How long an unreferenced archived copy is left alone (recovery-anchors: GC keeps a grace period). */
export const PRUNE_GRACE_MS = 60 * 60 * 1000;

export interface PruneInput {
  /** Every release record, newest first. */
  readonly records: readonly (ListedObject & { readonly id: string })[];
  readonly keep: number;
  /** The kept releases, read: the latest and its ancestors by parent links (release-chain.ts), and readable records newer than it. */
  readonly kept: readonly Release[];
  /** Records kept without being read into `kept` (newer than the latest; perhaps unreadable): never deleted. */
  readonly spared?: readonly string[];
  /** Everything under `_archive/`. */
  readonly archive: readonly ListedObject[];
  readonly now: Date;
  readonly graceMs: number;
  readonly limits: DeleteLimits;
}

export interface PrunePlan extends SyncPlan {
  readonly kept: readonly string[];
  /** Releases whose records are deleted. */
  readonly dropped: readonly string[];
  /** Archived copies no kept release refers to, old enough to delete. */
  readonly archiveDeletes: readonly ListedObject[];
  /** Unreferenced, but younger than the grace period. */
  readonly inGrace: readonly string[];
  /** Archived copies kept because a kept release refers to them. */
  readonly referenced: number;
  readonly bytesFreed: number;
}

/** Every archive key a release could restore from. */
export function referencedArchiveKeys(releases: readonly Release[]): Set<string> {
  const keys = new Set<string>();
  for (const release of releases) {
    for (const o of Object.values(release.objects)) for (const key of archiveKeys(o)) keys.add(key);
    if (release.manifest) keys.add(`${ARCHIVE_PREFIX}${release.manifest.sha256}`);
  }
  return keys;
}

export function planPrune(input: PruneInput): PrunePlan {
  const kept = input.kept.map((r) => r.id);
  const keptIds = new Set([...kept, ...(input.spared ?? [])]);
  const droppedRecords = input.records.filter((r) => !keptIds.has(r.id));
  const referencedKeys = referencedArchiveKeys(input.kept);
  const archiveDeletes: ListedObject[] = [];
  const inGrace: string[] = [];
  let referenced = 0;
  for (const o of input.archive) {
    if (referencedKeys.has(o.key)) referenced += 1;
    else if (input.now.getTime() - o.lastModified.getTime() < input.graceMs) inGrace.push(o.key);
    else archiveDeletes.push(o);
  }
  // Records before the copies they refer to: a run stopped in between leaves unreferenced copies (the
  // next prune deletes them), never a listed release that can no longer be restored.
  const doomed = [...droppedRecords, ...archiveDeletes];
  const total = input.archive.length + input.records.length;
  const deleteRefusal = doomed.length > 0 ? overLimits(doomed.length, total, input.limits, 'the archive and release records') : undefined;
  return {
    actions: deleteRefusal ? [] : doomed.map((o) => ({ kind: 'delete', key: o.key, remote: o })),
    keep: referenced + kept.length, inspect: [], extras: doomed, deleteRefusal, remoteCount: total,
    kept, dropped: droppedRecords.map((r) => r.id), archiveDeletes, inGrace, referenced,
    bytesFreed: archiveDeletes.reduce((sum, o) => sum + o.size, 0),
  };
}
