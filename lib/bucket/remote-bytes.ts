/**
 * The bytes of outputs the remote build cache left in the bucket (marked `remote`: not in dist), for a
 * sync or repair that must send them again because the live object is gone or wrong. They are read from
 * the archive, where a sync keeps every content it overwrites or deletes (`_archive/<sha256>`), and
 * checked against the manifest's SHA-256. Whether the archive has them is asked before any write (one
 * HEAD per such object, normally none), so a plan that cannot be carried out is refused whole, with the
 * one build that renders them here, instead of failing object by object.
 */
import { resolve } from 'node:path';
import { AssetsError } from '../errors';
import type { DesiredObject } from '../plan/match';
import type { SyncAction } from '../plan/sync-plan';
import { archiveKeys } from '../releases/release';
import type { ObjectStore } from '../storage/object-store';
import { firstHolding } from '../storage/read-content';
import { fromBucketOnly, readDistFile, remoteOf } from './desired';
import { pathUnder } from '../util/contained-path';
import { mapPool } from '../util/pool';
import { escapeRegExp } from '../util/escape-regexp';

/** A source folder as a --filter: `album/x/x-medium.jpg` → `album/x/`, escaped. */
const folderOf = (key: string): string => escapeRegExp(key.slice(0, key.lastIndexOf('/') + 1));

/** The build that renders these objects' sources here: by folder when few, else everything. */
export function renderHint(keys: readonly string[]): string {
  const folders = [...new Set(keys.map(folderOf))];
  const command = folders.length <= 20 ? `gulp build --no-cache --filter '^(${folders.join('|')})'` : 'gulp build --no-cache';
  return `render them here with \`${command}\` (with the --src, --dest and --cache-dir your build uses), then run this command again`;
}

/** Which releases marked them: one of another environment's bucket (build --env staging, sync --env production) is a likely slip. */
const releasesOf = (objects: readonly DesiredObject[]): string => [...new Set(objects.map(remoteOf))].slice(0, 3).join(', ');

class RemoteGoneError extends AssetsError {
  constructor(objects: readonly DesiredObject[]) {
    const keys = objects.map((o) => o.key);
    const named = keys.slice(0, 5).join(', ') + (keys.length > 5 ? `, and ${keys.length - 5} more` : '');
    super('E_REMOTE_GONE', `${keys.length} object(s) to send came from release ${releasesOf(objects)} (the remote build cache: not in dist/), `
      + `and this bucket holds their bytes nowhere, not at their keys nor in its archive: ${named}; nothing was written`,
    { hint: `${renderHint(keys)}; if the build was given another --env than this command, it took them from that bucket: build with this command's --env` });
  }
}

/**
 * Refuses a plan that uploads remote-marked objects whose bytes are neither in dist/ nor in the archive,
 * before any write (also for a dry run: its real twin would fail).
 */
export async function refuseRemoteGone(store: ObjectStore, actions: readonly SyncAction[], dist: string): Promise<void> {
  const root = resolve(dist);
  const needed = actions.flatMap((a) => ((a.kind === 'create' || a.kind === 'update') && remoteOf(a.local) !== undefined
    && fromBucketOnly(a.local, readDistFile(pathUnder(root, a.local.key))) ? [a.local] : []));
  if (needed.length === 0) return;
  const found = await mapPool(needed, 16, async (o) => {
    for (const key of archiveKeys(o)) if ((await store.head(key))?.size === o.size) return true;
    return false;
  });
  const gone = needed.filter((_, i) => !found[i]);
  if (gone.length > 0) throw new RemoteGoneError(gone);
}

export function remoteBytes(store: ObjectStore): (object: DesiredObject) => Promise<Buffer> {
  return async (object) => {
    const bytes = await firstHolding(store, archiveKeys(object), object);
    if (bytes) return bytes;
    // The next step is in the message itself: per-object failures are reported by their message alone.
    throw new AssetsError('E_REMOTE_GONE', `${object.key} came from release ${remoteOf(object)} (the remote build cache, not in dist), `
      + `and the bucket holds those bytes no more, not at the key nor in the archive: ${renderHint([object.key])}`);
  };
}
