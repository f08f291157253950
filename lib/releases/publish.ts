/** After a successful run: the release record of what the bucket now holds, and the archive lookups before it. */
import type { ApplyResult } from '../execute/apply-plan';
import type { ImageManifest } from '../manifest/types';
import type { DesiredObject } from '../plan/match';
import type { ObjectStore } from '../storage/object-store';
import { mapPool } from '../util/pool';
import { composeObjects, currentCommit, newReleaseId, RELEASE_SCHEMA, type ManifestRef, type Release, type ReleaseObject } from './release';
import { storeReleaseManifest } from './release-manifest';
import { publishRelease, readRelease, type LatestRead } from './release-store';

/** Which of these archive keys already exist (a HEAD each: only keys about to be archived are asked). */
export async function existingArchives(store: ObjectStore, keys: readonly string[]): Promise<Set<string>> {
  const found = await mapPool(keys, 16, async (key) => ((await store.head(key)) ? key : undefined));
  return new Set(found.filter((k): k is string => k !== undefined));
}

export interface SyncReleaseInput {
  readonly latest: LatestRead;
  /** The build's objects in this run's scope, with this environment's headers. */
  readonly desired: readonly DesiredObject[];
  readonly inScope: (key: string) => boolean;
  readonly result: ApplyResult;
  readonly environment: string;
  /** The build's manifest: archived with the release, for `gulp restore --pull`. */
  readonly manifest?: ImageManifest;
  /** The bucket has native versioning: the release records each object's version id. */
  readonly versioned?: boolean;
  readonly now?: Date;
}

/**
 * On a versioned bucket, each object's version id: from this run's writes, else from the previous
 * release when the bytes are the same; a HEAD only for what neither says (Ceph's CopyObject answers
 * without a version id; objects that predate the first release).
 */
export async function withVersionIds(
  store: ObjectStore, objects: Record<string, ReleaseObject>, previous: Release['objects'] | undefined, result: ApplyResult,
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

/** The record of a run that changed the bucket: what it now holds and what the run changed. */
export function releaseOf(input: {
  readonly objects: Release['objects']; readonly parent?: string; readonly environment: string;
  readonly reason: Release['reason']; readonly restoredFrom?: string; readonly result: ApplyResult; readonly now?: Date;
  readonly manifest?: ManifestRef;
}): Release {
  const now = input.now ?? new Date();
  const kinds = new Map(input.result.written.map((w) => [w.key, w.kind]));
  const keysOf = (...wanted: string[]) => [...kinds].filter(([, k]) => wanted.includes(k)).map(([key]) => key);
  return {
    schema: RELEASE_SCHEMA, id: newReleaseId(now, input.objects), createdAt: now.toISOString(), parent: input.parent,
    commit: currentCommit(), environment: input.environment, reason: input.reason, restoredFrom: input.restoredFrom,
    objects: input.objects,
    changes: { created: keysOf('create'), updated: keysOf('update', 'restore'), retagged: keysOf('retag'), deleted: [...input.result.deleted] },
    manifest: input.manifest,
  };
}

/** Publishes the release a successful sync made; returns it (undefined when nothing changed and one exists). */
export async function publishSyncRelease(store: ObjectStore, input: SyncReleaseInput): Promise<Release | undefined> {
  const { result, latest } = input;
  const changed = result.written.length > 0 || result.deleted.length > 0;
  if (!changed && latest.pointer) return undefined;
  const previous = latest.pointer ? await readRelease(store, latest.pointer.id) : undefined;
  const manifest = input.manifest && await storeReleaseManifest(store, input.manifest, previous?.manifest);
  let objects = composeObjects(previous?.objects, input.desired, input.inScope);
  if (input.versioned || result.written.some((w) => w.versionId)) objects = await withVersionIds(store, objects, previous?.objects, result);
  const release = releaseOf({
    objects, parent: previous?.id,
    environment: input.environment, reason: 'sync', result, now: input.now, manifest,
  });
  await publishRelease(store, release, latest);
  return release;
}
