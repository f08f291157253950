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

/** Outputs written at once: renders arrive in bursts (a source's sizes together), and each write waits on the disk. */
const WRITES_IN_FLIGHT = 8;

/**
 * The end of the build's pipeline: a sink (nothing flows on, so nothing waits to be read) that keeps up to
 * WRITES_IN_FLIGHT writes going. The first failure stops it: no later write starts, and the stream ends
 * with that error once the writes in flight have settled.
 */
export function writeOutputs(dist: string, cache?: RenderCache): Writable {
  const made = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let failed: Error | undefined;
  const settled = () => Promise.all(inFlight).then(() => failed);
  return new Writable({
    objectMode: true,
    write(file: Vinyl & { [CACHE_KEY]?: string }, _encoding, callback) {
      if (failed) { callback(failed); return; }
      const cacheKey = file[CACHE_KEY];
      if (!file.isBuffer()) { callback(); return; }
      let path: string;
      let key: string;
      try { key = toKey(file.relative); path = pathUnder(dist, key); } catch (error) { callback(error as Error); return; }
      const contents = file.contents;
      const kept = cache && cacheKey !== undefined ? cache.keep(cacheKey, key, contents, path) : Promise.resolve(false);
      const writing: Promise<void> = kept
        .then((done) => (done ? undefined : writeWhole(path, contents, made)))
        .catch((error: unknown) => { failed ??= error as Error; })
        .finally(() => { inFlight.delete(writing); });
      inFlight.add(writing);
      if (inFlight.size < WRITES_IN_FLIGHT) callback();
      else void Promise.race(inFlight).then(() => callback(failed));
    },
    final(callback) {
      void settled().then((error) => callback(error));
    },
  });
}
