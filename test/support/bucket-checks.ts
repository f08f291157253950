/**
 * Read-only checks of a bucket against its release records, straight from the server (not through the
 * proxy): what the invariants of the drills and the generated histories are stated in.
 */
import { createHash } from 'node:crypto';
import { isReserved } from '../../lib/bucket/object-scope';
import { archiveKeys, type Release } from '../../lib/releases/release';
import { readLatest, readRelease } from '../../lib/releases/release-store';
import { listAll, type ObjectStore } from '../../lib/storage/object-store';

/** An object read back: the SHA-256 of its bytes and the headers it is served with. */
async function readBack(store: ObjectStore, key: string): Promise<{ sha256: string; contentType?: string; cacheControl?: string }> {
  const { body, head } = await store.get(key);
  const hash = createHash('sha256');
  for await (const chunk of body) hash.update(chunk);
  return { sha256: hash.digest('hex'), contentType: head.contentType, cacheControl: head.cacheControl };
}

/**
 * How the bucket differs from a release, byte for byte (every object read back) and by served headers;
 * [] when it holds exactly the release. `extrasAllowed`: objects the release does not list may remain
 * (a sync without --delete keeps them).
 */
export async function differencesFromRelease(store: ObjectStore, release: Release, options: { extrasAllowed?: boolean } = {}): Promise<string[]> {
  const problems: string[] = [];
  const listed = new Map((await listAll(store)).filter((o) => !isReserved(o.key)).map((o) => [o.key, o]));
  for (const [key, o] of Object.entries(release.objects)) {
    if (!listed.has(key)) { problems.push(`${key}: missing`); continue; }
    const read = await readBack(store, key);
    if (read.sha256 !== o.sha256) problems.push(`${key}: other bytes than the release's`);
    else if (read.contentType !== o.contentType || read.cacheControl !== o.cacheControl) problems.push(`${key}: served with other headers`);
  }
  if (!options.extrasAllowed) for (const key of listed.keys()) if (!(key in release.objects)) problems.push(`${key}: not in the release`);
  return problems;
}

/** The release the pointer names, or undefined when there is none. */
export async function latestRelease(store: ObjectStore): Promise<Release | undefined> {
  const { pointer } = await readLatest(store);
  return pointer ? readRelease(store, pointer.id) : undefined;
}

/**
 * A read-only restorability check over one listing of the bucket and its archive: for a release, the
 * objects whose bytes are nowhere a rollback could copy them from — not in the bucket under their key
 * (listed with their MD5 and size), not in the archive (an archive object named for them with their MD5
 * and size), not in a version with their MD5 (`versions`: key → version ETags). [] when it can be restored.
 */
export async function restorability(store: ObjectStore, versions?: ReadonlyMap<string, readonly string[]>) {
  const all = new Map((await listAll(store)).map((o) => [o.key, o]));
  const archive = new Map((await listAll(store, { prefix: '_archive/' })).map((o) => [o.key, o]));
  const holds = (o: { etag: string; size: number } | undefined, md5: string, size: number) => o !== undefined && o.etag === md5 && o.size === size;
  return (release: Release): { key: string; sha256: string }[] => Object.entries(release.objects)
    .filter(([key, o]) => !holds(all.get(key), o.md5, o.size)
      && !archiveKeys(o).some((k) => holds(archive.get(k), o.md5, o.size))
      && !(versions?.get(key) ?? []).includes(o.md5))
    .map(([key, o]) => ({ key, sha256: o.sha256 }));
}

/** The objects of a release that cannot be restored (see restorability), named. */
export async function unrestorable(store: ObjectStore, release: Release): Promise<string[]> {
  return (await restorability(store))(release).map((o) => `${o.key} (sha256 ${o.sha256.slice(0, 12)}…)`);
}
