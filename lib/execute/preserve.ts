/**
 * Before a plan overwrites or deletes anything, what it would lose is preserved: a bucket with native
 * versioning keeps old versions itself (asked only when something would be lost); otherwise each
 * content goes to the archive by a server-side copy, unless an archive object with its ETag and size
 * is already there (looked up in the caller's archive listing, else with a HEAD per needed key). The
 * store's recorded ETag is trusted here, as rclone and restic trust theirs in normal operation: bytes
 * rotted behind it are caught when a copy from them comes out wrong (the executor checks every copy).
 */
import { archiveNeeds, withArchives } from '../plan/archive-plan';
import type { RecordedObject } from '../plan/match';
import type { ExpectedCopy, SyncPlan } from '../plan/sync-plan';
import type { ObjectStore } from '../storage/object-store';
import { mapPool } from '../util/pool';

export interface Preserved<P extends SyncPlan> {
  /** The plan with its archive copies in front. */
  readonly plan: P;
  /** The bucket keeps old versions itself: no archive copies, release records carry version ids. */
  readonly versioned: boolean;
  /** Requests this step made (GetBucketVersioning, archive HEADs). */
  readonly requests: { readonly get: number; readonly head: number };
}

export async function preserveFirst<P extends SyncPlan>(
  store: ObjectStore, plan: P, records: ReadonlyMap<string, RecordedObject>,
  known: { versioned?: boolean; archive?: ReadonlyMap<string, ExpectedCopy> } = {},
): Promise<Preserved<P>> {
  const needs = archiveNeeds(plan, records);
  if (needs.copies.size === 0) return { plan, versioned: known.versioned ?? false, requests: { get: 0, head: 0 } };
  const versioned = known.versioned ?? (await store.versioning()) === 'enabled';
  const get = known.versioned === undefined ? 1 : 0;
  if (versioned) return { plan, versioned, requests: { get, head: 0 } };
  let archived = known.archive;
  if (!archived) {
    const heads = await mapPool([...needs.copies.keys()], 16, async (key) => [key, await store.head(key)] as const);
    archived = new Map(heads.filter(([, head]) => head).map(([key, head]) => [key, head as ExpectedCopy]));
  }
  return { plan: { ...plan, actions: withArchives(plan, needs, archived).actions }, versioned, requests: { get, head: known.archive ? 0 : needs.copies.size } };
}
