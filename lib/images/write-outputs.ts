/**
 * The build's dest stage: each rendered variant written whole or not at all — to a temporary file beside
 * it, then renamed into place — so a full disk or a killed build never leaves a cut-short output under
 * an output's name. With a render cache, an output carrying its cache key is written into the cache (the
 * same way) and dist gets a link to it (render-cache.ts). Every path is checked to stay under its root
 * (pathUnder). A write that fails (disk full, read-only, no permission) stops the build with the file
 * named; what was written before it is whole and kept.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import type Vinyl from 'vinyl';
import { WriteFileError } from '../util/fs-errors';
import { pathUnder } from '../util/contained-path';
import { tempPathFor } from '../util/temp-path';
import type { RenderCache } from './render-cache';
import { CACHE_KEY } from './responsive';
import { toKey } from './source-path';

const HINT = 'free space (or fix the folder\'s permissions) and run `gulp build` again: '
  + 'outputs are written whole or not at all, and the manifest was not updated, so nothing half-built is trusted';

async function writeWhole(path: string, data: Uint8Array, made: Set<string>): Promise<void> {
  const temp = tempPathFor(path);
  const folder = dirname(path);
  try {
    if (!made.has(folder)) await mkdir(folder, { recursive: true }).then(() => { made.add(folder); });
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new WriteFileError(path, error, HINT);
  }
}

/** The end of the build's pipeline: a sink (nothing flows on, so nothing waits to be read). */
export function writeOutputs(dist: string, cache?: RenderCache): Writable {
  const made = new Set<string>();
  return new Writable({ objectMode: true, write(file: Vinyl & { [CACHE_KEY]?: string }, _encoding, callback) {
    const cacheKey = file[CACHE_KEY];
    if (!file.isBuffer()) { callback(); return; }
    let path: string;
    let key: string;
    try { key = toKey(file.relative); path = pathUnder(dist, key); } catch (error) { callback(error as Error); return; }
    const kept = cache && cacheKey !== undefined ? cache.keep(cacheKey, key, file.contents, path) : Promise.resolve(false);
    kept
      .then((done) => (done ? undefined : writeWhole(path, file.contents, made)))
      .then(() => callback(), (error: unknown) => callback(error as Error));
  } });
}
