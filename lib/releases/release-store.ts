/**
 * Reading and publishing release records in the bucket. A release is written under its own key first,
 * then the latest pointer is replaced with a conditional PUT on the ETag read when the run started, so
 * of two concurrent publishers exactly one wins (on stores that enforce conditional writes: R2, S3,
 * Ceph, and the embedded bucket). The loser's record stays in `_releases/` (nothing is lost), unpointed.
 */
import { AssetsError } from '../errors';
import { jsonEtag, putJsonObject, readObjectText } from '../storage/json-object';
import { listAll, type ListedObject, type ObjectStore } from '../storage/object-store';
import { mapPool } from '../util/pool';
import { stableHash } from '../util/hash';
import {
  LATEST_KEY, RELEASES_PREFIX, releaseKey, releaseTime, sameState, type LatestPointer, type Release, type ReleaseObject,
} from './release';
import { isPreconditionFailed } from '../storage/store-error';
import { prunedRelease } from './pruned-record';

export interface LatestRead {
  readonly pointer?: LatestPointer;
  /** The pointer's ETag when read: the condition for replacing it. */
  readonly etag?: string;
}

export class ReleaseConflictError extends AssetsError {
  constructor(mine: string) {
    super('E_RELEASE_CONFLICT', `another run published a release while this one ran, so release ${mine} was not made the latest`,
      { hint: `its record stays at ${releaseKey(mine)}; run \`gulp verify\`, then \`gulp sync\` again to publish the bucket's state` });
  }
}

async function readJson<T>(store: ObjectStore, key: string): Promise<{ value: T; etag: string } | undefined> {
  const read = await readObjectText(store, key);
  return read && { value: JSON.parse(read.text) as T, etag: read.head.etag };
}

export async function readLatest(store: ObjectStore): Promise<LatestRead> {
  const read = await readJson<LatestPointer>(store, LATEST_KEY);
  return read ? { pointer: read.value, etag: read.etag } : {};
}

export async function readRelease(store: ObjectStore, id: string): Promise<Release> {
  const read = await readJson<Release>(store, releaseKey(id));
  if (!read) throw await missingRelease(store, id);
  return read.value;
}

/** Why release `id` cannot be read: pruned (when, with which --keep, and what is left), or never recorded here. */
async function missingRelease(store: ObjectStore, id: string): Promise<AssetsError> {
  const pruned = await prunedRelease(store, id);
  if (!pruned) return new AssetsError('E_NO_RELEASE', `release ${id} is not in the bucket`, { hint: '`gulp releases` lists the recorded releases' });
  const left = await releaseIds(store).catch(() => [] as string[]);
  const shown = left.slice(0, 5).join(', ');
  return new AssetsError('E_PRUNED', `release ${id} was pruned on ${pruned.at} (gulp prune --keep ${pruned.keep}): its record and the archived copies only it needed are gone`, {
    hint: left.length === 0 ? 'no release is left to restore; `gulp restore` (no --release) rebuilds the bucket from the sources'
      : `restore one of the ${left.length} release(s) still recorded instead (newest first: ${shown}${left.length > 5 ? ', …' : ''}; \`gulp releases\` lists them), e.g. \`gulp restore --release ${left[0]}\``,
  });
}

/** Every release record in the bucket (the pointer excluded), newest first (ids start with their UTC time). */
export async function releaseRecords(store: ObjectStore): Promise<(ListedObject & { id: string })[]> {
  const records = (await listAll(store, { prefix: RELEASES_PREFIX }))
    .filter((o) => o.key !== LATEST_KEY && o.key.endsWith('.json'))
    .map((o) => ({ ...o, id: o.key.slice(RELEASES_PREFIX.length, -5) }));
  return records.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

export async function releaseIds(store: ObjectStore): Promise<string[]> {
  return (await releaseRecords(store)).map((r) => r.id);
}

/** Records newer than the latest release that the pointer never named: runs stopped before publishing them. */
export function unpublishedIds(ids: readonly string[], latestId: string | undefined): string[] {
  if (!latestId) return [...ids];
  const latestAt = releaseTime(latestId).getTime();
  return ids.filter((id) => id !== latestId && releaseTime(id).getTime() > latestAt);
}

export async function readReleases(store: ObjectStore, ids: readonly string[]): Promise<Release[]> {
  return mapPool(ids, 8, (id) => readRelease(store, id));
}

/**
 * Writes the release record (only if no record has its id), then moves the latest pointer to it. A
 * conditional PUT that is retried after its first attempt landed (the answer was lost) meets its own
 * write and gets 412: that is recognised as success, not a conflict.
 */
export async function publishRelease(store: ObjectStore, release: Release, latest: LatestRead): Promise<void> {
  try {
    await putJsonObject(store, releaseKey(release.id), release, { ifNoneMatch: '*' });
  } catch (error) {
    if (!isPreconditionFailed(error) || (await store.head(releaseKey(release.id)))?.etag !== jsonEtag(release)) throw error;
  }
  await movePointer(store, release, latest);
}

/** Makes `release` the latest, if nobody moved the pointer since `latest` was read. */
export async function movePointer(store: ObjectStore, release: Pick<Release, 'id' | 'createdAt'>, latest: LatestRead): Promise<void> {
  const pointer: LatestPointer = { id: release.id, createdAt: release.createdAt };
  try {
    await putJsonObject(store, LATEST_KEY, pointer, latest.etag ? { ifMatch: latest.etag } : { ifNoneMatch: '*' });
  } catch (error) {
    if (!isPreconditionFailed(error)) throw error;
    if ((await readLatest(store)).pointer?.id !== release.id) throw new ReleaseConflictError(release.id);
  }
}

/**
 * A record that a run stopped after writing, before moving the pointer to it: newer than the latest,
 * its child, and recording exactly `objects` (what the bucket now holds). Undefined when there is none.
 */
export async function findOrphan(store: ObjectStore, latest: LatestRead, objects: Readonly<Record<string, ReleaseObject>>): Promise<Release | undefined> {
  const parent = latest.pointer?.id;
  const since = parent ? releaseTime(parent).getTime() : Number.NEGATIVE_INFINITY;
  const suffix = `-${stableHash(objects, 8)}`;
  const candidates = (await releaseRecords(store)).filter((r) => r.id !== parent && r.id.endsWith(suffix) && releaseTime(r.id).getTime() > since);
  for (const candidate of candidates) {
    const record = await readRelease(store, candidate.id);
    if (record.parent === parent && sameState(record.objects, objects)) return record;
  }
  return undefined;
}
