/**
 * `gulp restore --at <time>`: which state to restore. Without native versioning, the release that was
 * the latest then. With it, the objects as they were at that moment, from the version history, shaped
 * as a release so the one rollback planner and executor apply it: each key's headers and SHA-256 come
 * from the latest release when it recorded the same bytes, else from a HEAD of that version.
 */
import { AssetsError, UsageError } from '../errors';
import { versionsAt } from '../plan/versions-at';
import { inKeyOrder, newReleaseId, RELEASE_SCHEMA, releaseTime, type Release, type ReleaseObject } from '../releases/release';
import { releaseIds, readRelease } from '../releases/release-store';
import type { ObjectStore, ObjectVersion } from '../storage/object-store';
import { mapPool } from '../util/pool';

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A time given on the command line: ISO 8601 with a zone, not in the future. */
export function parseAt(value: string, now = new Date()): Date {
  const at = new Date(value);
  if (!ISO_WITH_ZONE.test(value) || Number.isNaN(at.getTime())) {
    throw new UsageError(`--at "${value}" is not an ISO 8601 time with a zone`, 'e.g. --at 2026-11-28T12:00:00Z (UTC) or --at 2026-11-28T13:00:00+01:00');
  }
  if (at.getTime() > now.getTime()) throw new UsageError(`--at ${value} is in the future`);
  return at;
}

/** The release that was the latest at `at` (ids start with their UTC time). */
export async function releaseAt(store: ObjectStore, at: Date): Promise<Release> {
  const ids = await releaseIds(store);
  const id = ids.find((candidate) => releaseTime(candidate).getTime() <= at.getTime());
  if (!id) {
    const first = ids[ids.length - 1];
    throw new AssetsError('E_NO_RELEASE', `no release was recorded at or before ${at.toISOString()}`,
      { hint: first ? `the first release is ${first} (${releaseTime(first).toISOString()})` : 'every successful `gulp sync` records one' });
  }
  return readRelease(store, id);
}

/** The bucket's state at `at` from its version history, as a release-shaped target. */
export async function stateAt(store: ObjectStore, history: readonly ObjectVersion[], at: Date, latest?: Release): Promise<Release> {
  const current = versionsAt(history, at);
  const objects: Record<string, ReleaseObject> = {};
  await mapPool([...current.values()], 16, async (v) => {
    const known = latest?.objects[v.key];
    if (known && known.md5 === v.etag) { objects[v.key] = { ...known, versionId: v.versionId }; return; }
    const head = await store.headVersion(v.key, v.versionId);
    if (!head) throw new AssetsError('E_STORE', `version ${v.versionId} of ${v.key} is listed but cannot be read`);
    objects[v.key] = {
      md5: head.etag, sha256: head.metadata.sha256 ?? '', size: head.size, versionId: v.versionId,
      contentType: head.contentType ?? 'application/octet-stream', cacheControl: head.cacheControl ?? '',
    };
  });
  const sorted = inKeyOrder(objects);
  return {
    schema: RELEASE_SCHEMA, id: newReleaseId(at, sorted), createdAt: at.toISOString(), environment: latest?.environment ?? '',
    reason: 'restore', objects: sorted, changes: { created: [], updated: [], retagged: [], deleted: [] },
  };
}
