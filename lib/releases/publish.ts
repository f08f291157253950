/**
 * After a run that changed the bucket: the release record that describes what the bucket now holds,
 * published (or, when a stopped run already wrote that very record, adopted), unless the latest
 * release already describes it.
 */
import type { ApplyResult } from '../execute/apply-plan';
import type { ImageManifest } from '../manifest/types';
import type { ObjectStore } from '../storage/object-store';
import { mapPool } from '../util/pool';
import {
  changesBetween, currentCommit, newReleaseId, RELEASE_SCHEMA, sameState,
  type ManifestRef, type Release, type ReleaseObject, type ReleaseReason,
} from './release';
import { storeReleaseManifest } from './release-manifest';
import { AssetsError } from '../errors';
import { BadRecordError } from '../validate/records';
import { findOrphan, isGoneRelease, latestId, RESTORE_HINT, movePointer, publishRelease, readRelease, type LatestRead } from './release-store';

/** What a writing command says about the release its run makes. */
export interface ReleaseIntent {
  readonly environment: string;
  readonly reason: ReleaseReason;
  /** For a restore: the release (or time) it restored. */
  readonly restoredFrom?: string;
  /** The objects the bucket holds once the plan is applied, given the release that was the latest. */
  readonly objects: (previous: Release | undefined) => Record<string, ReleaseObject>;
  /** The build's image manifest, archived with the release; or the reference a restored release carried. */
  readonly manifest?: ImageManifest | ManifestRef;
  /** The latest release's record, when the caller has already read it (a rollback to `previous`). */
  readonly previous?: Release;
  readonly now?: Date;
}

/**
 * On a versioned bucket, each object's version id: from this run's writes, else from the previous
 * release when the bytes are the same; a HEAD only for what neither says (Ceph's CopyObject answers
 * without a version id; objects that predate the first release).
 */
export async function withVersionIds(
  store: ObjectStore, objects: Record<string, ReleaseObject>, previous: Release['objects'] | undefined, result: Pick<ApplyResult, 'written'>,
): Promise<Record<string, ReleaseObject>> {
  const written = new Map(result.written.map((w) => [w.key, w]));
  const unknown: string[] = [];
  for (const [key, o] of Object.entries(objects)) {
    const w = written.get(key);
    const before = previous?.[key];
    const versionId = w ? w.versionId : before?.md5 === o.md5 ? before.versionId : undefined;
    if (versionId) objects[key] = { ...o, versionId };
    else unknown.push(key);
  }
  await mapPool(unknown, 16, async (key) => {
    const head = await store.head(key);
    if (head?.versionId && head.etag === objects[key]?.md5) objects[key] = { ...(objects[key] as ReleaseObject), versionId: head.versionId };
  });
  return objects;
}

/** The record of a state of the bucket, and what changed since the release before it. */
export function releaseOf(input: {
  readonly objects: Release['objects']; readonly previous?: Release; readonly environment: string;
  readonly reason: ReleaseReason; readonly restoredFrom?: string; readonly now?: Date; readonly manifest?: ManifestRef;
}): Release {
  const now = input.now ?? new Date();
  return {
    schema: RELEASE_SCHEMA, id: newReleaseId(now, input.objects), createdAt: now.toISOString(), parent: input.previous?.id,
    commit: currentCommit(), environment: input.environment, reason: input.reason, restoredFrom: input.restoredFrom,
    objects: input.objects, changes: changesBetween(input.previous?.objects, input.objects), manifest: input.manifest,
  };
}

/**
 * The latest release's record, read before a writer changes anything. A damaged pointer, or a pointer to
 * a record that is missing or damaged, stops a sync or repair here, with nothing written; a restore goes
 * on without it (it is how another release is made the latest again).
 */
export async function previousRelease(store: ObjectStore, intent: ReleaseIntent, latest: LatestRead): Promise<Release | undefined> {
  if (intent.previous && intent.previous.id === latest.pointer?.id) return intent.previous;
  const restoring = intent.reason === 'restore';
  if (latest.damaged && restoring) return undefined;
  const id = latestId(latest);
  if (!id) return undefined;
  try {
    return await readRelease(store, id);
  } catch (error) {
    if (!(error instanceof BadRecordError) && !isGoneRelease(error)) throw error;
    if (restoring) return undefined;
    throw new AssetsError('E_BAD_RECORD', `the latest pointer names release ${id}, but ${(error as Error).message}`,
      { hint: RESTORE_HINT });
  }
}

export interface Recorded {
  /** The release that now describes the bucket (possibly the latest one, unchanged). */
  readonly id?: string;
  /** Set when this run made a release the latest: a new record, or an adopted one. */
  readonly release?: Release;
  readonly adopted?: boolean;
}

/**
 * Makes the latest release describe the bucket after a successful run: nothing when it already does;
 * else, when `lookForOrphan` (a run stopped after writing its record), the newer record that already
 * records this state is made the latest; else a new release is published.
 */
export async function recordRelease(
  store: ObjectStore, intent: ReleaseIntent, latest: LatestRead, result: Pick<ApplyResult, 'written'>, options: { versioned: boolean; lookForOrphan: boolean },
): Promise<Recorded> {
  const previous = await previousRelease(store, intent, latest);
  let objects = intent.objects(previous);
  if (options.versioned || result.written.some((w) => w.versionId)) objects = await withVersionIds(store, objects, previous?.objects, result);
  if (previous && sameState(previous.objects, objects)) return { id: previous.id };
  const orphan = options.lookForOrphan ? await findOrphan(store, latest, objects) : undefined;
  if (orphan) {
    await movePointer(store, orphan, latest);
    return { id: orphan.id, release: orphan, adopted: true };
  }
  const manifest = intent.manifest && 'sources' in intent.manifest
    ? await storeReleaseManifest(store, intent.manifest, previous?.manifest) : intent.manifest;
  const release = releaseOf({ ...intent, objects, previous, manifest, now: intent.now });
  await publishRelease(store, release, latest);
  return { id: release.id, release };
}
