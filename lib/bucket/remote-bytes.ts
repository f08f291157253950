/**
 * The bytes of an output the remote build cache left in the bucket (marked `remote`: not in dist), for a
 * sync or repair that must send them again because the live object is gone or wrong: read from the
 * archive, where a sync keeps every content it overwrites or deletes (`_archive/<sha256>`), and checked
 * against the manifest's SHA-256. When the archive does not have them either, the error says how to
 * render them here.
 */
import { AssetsError } from '../errors';
import type { DesiredObject } from '../plan/match';
import { archiveKeys } from '../releases/release';
import type { ObjectStore } from '../storage/object-store';
import { readObject } from '../storage/read-object';
import { isNotFound } from '../storage/store-error';
import { sha256Of } from '../util/hash';

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export function remoteBytes(store: ObjectStore): (object: DesiredObject) => Promise<Buffer> {
  return async (object) => {
    for (const key of archiveKeys(object)) {
      const bytes = await readObject(store, key, collect).catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw error;
      });
      if (bytes && sha256Of(bytes) === object.sha256) return bytes;
    }
    const folder = object.key.slice(0, object.key.lastIndexOf('/') + 1);
    // The next step is in the message itself: per-object failures are reported by their message alone.
    const render = `gulp build --no-cache --filter '^${folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`;
    throw new AssetsError('E_REMOTE_GONE', `${object.key} came from the bucket's release (the remote build cache, not in dist), `
      + `and the bucket holds those bytes no more, not at the key nor in the archive: render it here with \`${render}\`, then run this command again`);
  };
}
