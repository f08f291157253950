/**
 * Where a mirror's bytes come from: the source store, object by object (GET → PUT; nothing on disk).
 * Each body is read from the source's key while it still holds the release's bytes, else from the
 * source's archive (`_archive/<sha256>`: a sync since the release replaced it), and handed on only when
 * its size, MD5 and SHA-256 are the release's. One body is held at a time per request in flight: a PUT
 * needs its Content-MD5 before the first byte, and R2 takes no unsigned streaming upload.
 */
import { createHash } from 'node:crypto';
import type { DesiredObject } from '../plan/match';
import { archiveKeys, ARCHIVE_PREFIX, type ManifestRef } from '../releases/release';
import type { ObjectStore } from '../storage/object-store';
import { firstHolding, holds, readUpTo } from '../storage/read-content';

/** The body reader the executor uploads from: each object's bytes from the source, checked against the release. */
export function sourceReader(source: ObjectStore, what: { environment: string; release: string }): (object: DesiredObject) => Promise<Buffer> {
  return async (object) => {
    const body = await firstHolding(source, [object.key, ...archiveKeys(object)], object);
    if (body) return body;
    throw new Error(`--env ${what.environment} holds no copy of it with the SHA-256 its release ${what.release} records `
      + `(${object.sha256.slice(0, 12)}…), in the bucket or its archive: nothing was written for it; `
      + `run \`gulp verify --env ${what.environment} --release ${what.release}\``);
  };
}

/**
 * Copies the release's image manifest (`_archive/<sha256>`) to the target, byte for byte, unless the
 * target has it; so `gulp restore --pull --env <target>` gives back the build's manifest too.
 */
export async function copyReleaseManifest(source: ObjectStore, target: ObjectStore, ref: ManifestRef, environment: string): Promise<void> {
  const key = `${ARCHIVE_PREFIX}${ref.sha256}`;
  // A copy there is trusted only when it hashes to its name (one small GET): a corrupt one of the right
  // size would otherwise stay, and every later mirror would find "nothing to do".
  if ((await target.head(key))?.size === ref.size) {
    const there = await readUpTo(target, key, ref.size);
    if (there && holds(there, ref)) return;
  }
  const body = await readUpTo(source, key, ref.size);
  if (!body || !holds(body, ref)) {
    throw new Error(`the release's image manifest ${key} is missing or corrupt in --env ${environment}: the mirror would record a release whose manifest cannot be read`);
  }
  await target.put({
    key, body, md5: createHash('md5').update(body).digest('hex'), contentType: 'application/json', cacheControl: 'private, no-store',
    metadata: { 'archived-from': 'images.json' },
  });
}
