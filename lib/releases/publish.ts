/** After a successful run: the release record of what the bucket now holds, and the archive lookups before it. */
import type { ApplyResult } from '../execute/apply-plan';
import type { DesiredObject } from '../plan/match';
import type { ObjectStore } from '../storage/object-store';
import { mapPool } from '../util/pool';
import { composeObjects, currentCommit, newReleaseId, RELEASE_SCHEMA, type Release } from './release';
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
  readonly now?: Date;
}

/** Publishes the release a successful sync made; returns it (undefined when nothing changed and one exists). */
export async function publishSyncRelease(store: ObjectStore, input: SyncReleaseInput): Promise<Release | undefined> {
  const { result, latest } = input;
  const changed = result.written.length > 0 || result.deleted.length > 0;
  if (!changed && latest.pointer) return undefined;
  const previous = latest.pointer ? await readRelease(store, latest.pointer.id) : undefined;
  const objects = composeObjects(previous?.objects, input.desired, input.inScope);
  const now = input.now ?? new Date();
  const kinds = new Map(result.written.map((w) => [w.key, w.kind]));
  const keysOf = (kind: string) => [...kinds].filter(([, k]) => k === kind).map(([key]) => key);
  const release: Release = {
    schema: RELEASE_SCHEMA, id: newReleaseId(now, objects), createdAt: now.toISOString(), parent: previous?.id,
    commit: currentCommit(), environment: input.environment, reason: 'sync', objects,
    changes: { created: keysOf('create'), updated: keysOf('update'), retagged: keysOf('retag'), deleted: [...result.deleted] },
  };
  await publishRelease(store, release, latest);
  return release;
}
