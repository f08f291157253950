/**
 * Reading and publishing release records in the bucket. A release is written under its own key first,
 * then the latest pointer is replaced with a conditional PUT on the ETag read when the run started, so
 * of two concurrent publishers exactly one wins (on stores that enforce conditional writes: R2, S3,
 * Ceph, and the embedded bucket). The loser's record stays in `_releases/` (nothing is lost), unpointed.
 */
import { AssetsError } from '../errors';
import { printableKey } from '../validate/object-key';
import { BadRecordError, parsePointer, parseRelease, RELEASE_ID } from '../validate/records';
import { jsonEtag, putJsonObject, readObjectText, RecordTooLargeError } from '../storage/json-object';
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
  /** The pointer exists but is not one: no release is the latest until one replaces it. */
  readonly damaged?: BadRecordError;
}

export class ReleaseConflictError extends AssetsError {
  constructor(mine: string) {
    super('E_RELEASE_CONFLICT', `another run published a release while this one ran, so release ${mine} was not made the latest`,
      { hint: `its record stays at ${releaseKey(mine)}; run \`gulp verify\`, then \`gulp sync\` again to publish the bucket's state` });
  }
}

export const RESTORE_HINT = '`gulp releases` lists the readable releases; `gulp restore <id> --yes` makes one of them the latest again';

/** A pointer is an id and a time: anything near this size is not one. */
const POINTER_MAX_BYTES = 64 * 1024;

/** The latest pointer; a damaged one is reported in `damaged`, never trusted and never a crash. */
export async function readLatest(store: ObjectStore): Promise<LatestRead> {
  const read = await readObjectText(store, LATEST_KEY, POINTER_MAX_BYTES).catch((error: unknown) => {
    if (error instanceof RecordTooLargeError) return { etag: error.head.etag, damaged: error };
    throw error;
  });
  if (!read) return {};
  if ('damaged' in read) return read;
  try {
    return { pointer: parsePointer(read.text, LATEST_KEY), etag: read.head.etag };
  } catch (error) {
    if (!(error instanceof BadRecordError)) throw error;
    return { etag: read.head.etag, damaged: error };
  }
}

/** The pointer's release id; a damaged pointer is refused here, naming what can be done instead. */
export function latestId(latest: LatestRead): string | undefined {
  if (latest.damaged) throw new BadRecordError(LATEST_KEY, latest.damaged.problem, RESTORE_HINT);
  return latest.pointer?.id;
}

/** A release record, validated: its key's id must be the id it records. */
export async function readRelease(store: ObjectStore, id: string): Promise<Release> {
  const key = releaseKey(id);
  const read = RELEASE_ID.test(id) ? await readObjectText(store, key) : undefined;
  if (!read) throw await missingRelease(store, id);
  const release = parseRelease(read.text, key, `this release cannot be restored or trusted; ${RESTORE_HINT}`);
  if (release.id !== id) throw new BadRecordError(key, `records release ${release.id}, not ${id}`, RESTORE_HINT);
  return release;
}

/** The release is not in the bucket: never recorded, or pruned (E_PRUNED says when). */
export function isGoneRelease(error: unknown): boolean {
  return error instanceof AssetsError && (error.code === 'E_NO_RELEASE' || error.code === 'E_PRUNED');
}

/** Why release `id` cannot be read: pruned (when, with which --keep, and what is left), or never recorded here. */
async function missingRelease(store: ObjectStore, id: string): Promise<AssetsError> {
  const pruned = await prunedRelease(store, id);
  if (!pruned) return new AssetsError('E_NO_RELEASE', `release ${RELEASE_ID.test(id) ? id : printableKey(id)} is not in the bucket`, { hint: '`gulp releases` lists the recorded releases' });
  const left = await releaseIds(store).catch(() => [] as string[]);
  const shown = left.slice(0, 5).join(', ');
  return new AssetsError('E_PRUNED', `release ${id} was pruned on ${pruned.at} (gulp prune --keep ${pruned.keep}): its record and the archived copies only it needed are gone`, {
    hint: left.length === 0 ? 'no release is left to restore; `gulp restore` (no --release) rebuilds the bucket from the sources'
      : `restore one of the ${left.length} release(s) still recorded instead (newest first: ${shown}${left.length > 5 ? ', …' : ''}; \`gulp releases\` lists them), e.g. \`gulp restore --release ${left[0]}\``,
  });
}

/** SigV4 lets a request's clock be 15 minutes off: a record dated later than that was not made by a run of ours. */
const CLOCK_SKEW_MS = 15 * 60 * 1000;

/**
 * Everything under `_releases/`: the release records (by id, newest first), and the keys that are not
 * one (`strays`, each with why): another name, or an id dated in the future, which no run of ours on a
 * correct clock made and which would otherwise sort first as the newest.
 */
export async function listReleaseKeys(store: ObjectStore, now = new Date()): Promise<{
  records: (ListedObject & { id: string })[]; strays: { key: string; reason: string }[];
}> {
  const records: (ListedObject & { id: string })[] = [];
  const strays: { key: string; reason: string }[] = [];
  for (const o of await listAll(store, { prefix: RELEASES_PREFIX })) {
    if (o.key === LATEST_KEY) continue;
    const id = o.key.slice(RELEASES_PREFIX.length, -'.json'.length);
    if (!o.key.endsWith('.json') || !RELEASE_ID.test(id)) strays.push({ key: o.key, reason: 'is not a release record' });
    else if (releaseTime(id).getTime() > now.getTime() + CLOCK_SKEW_MS) strays.push({ key: o.key, reason: `is dated ${releaseTime(id).toISOString()}, in the future: not a record of ours` });
    else records.push({ ...o, id });
  }
  records.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return { records, strays };
}

/** Release records (the pointer excluded), newest first by id (ids start with their UTC time). Other keys are left out. */
export async function releaseRecords(store: ObjectStore): Promise<(ListedObject & { id: string })[]> {
  return (await listReleaseKeys(store)).records;
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

/** Each release, or why its record cannot be used: one bad record does not hide the others. */
export async function readReleasesOrProblems(store: ObjectStore, ids: readonly string[]): Promise<(Release | { id: string; problem: string })[]> {
  return mapPool(ids, 8, (id) => readRelease(store, id).catch((error: unknown) => {
    if (error instanceof BadRecordError) return { id, problem: error.message };
    throw error;
  }));
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
