/**
 * Before a plan overwrites or deletes anything, what it would lose is preserved: a bucket with native
 * versioning keeps old versions itself (asked only when something would be lost); otherwise each
 * content goes to the archive by a server-side copy, unless an archive object with its ETag and size
 * is already there (looked up in the caller's archive listing, else with a HEAD per needed key) and its
 * bytes, read back, hash to its name.
 */
import { createHash } from 'node:crypto';
import { archiveNeeds, holds, withArchives } from '../plan/archive-plan';
import { ARCHIVE_PREFIX } from '../releases/release';
import { readObject } from '../storage/read-object';
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
  // A copy the plan would rely on instead of making a new one is read back first: its listing shows the
  // ETag the store recorded, not the bytes it now holds. One whose bytes are not its name's is replaced.
  const relied = [...needs.copies].filter(([key, copy]) => holds(archived.get(key), copy.expect)).map(([key]) => key);
  const untrusted = new Set((await mapPool(relied, 8, async (key) => ((await bytesMatchName(store, key)) ? undefined : key))).filter(Boolean));
  const trusted = new Map([...archived].filter(([key]) => !untrusted.has(key)));
  return {
    plan: { ...plan, actions: withArchives(plan, needs, trusted).actions }, versioned,
    requests: { get: get + relied.length, head: known.archive ? 0 : needs.copies.size },
  };
}

/** Whether an archived copy's bytes hash to the digest its key names (`_archive/<sha256>`, `_archive/md5-<md5>`). */
async function bytesMatchName(store: ObjectStore, key: string): Promise<boolean> {
  const name = key.slice(ARCHIVE_PREFIX.length);
  if (name.startsWith('etag-')) return true; // a foreign multipart object's copy: named by an ETag no hash reproduces
  const [algorithm, digest] = name.startsWith('md5-') ? ['md5', name.slice(4)] : ['sha256', name];
  const found = await readObject(store, key, async (body) => {
    const hash = createHash(algorithm);
    for await (const chunk of body) hash.update(chunk);
    return hash.digest('hex');
  }).catch(() => undefined);
  return found === digest;
}
