/**
 * The build's dest stage: each rendered variant written whole or not at all — to a temporary file beside
 * it, then renamed into place — so a full disk or a killed build never leaves a cut-short output under
 * an output's name. Every path is checked to stay under dist (pathUnder). A write that fails (disk full, read-only, no permission) stops the build with the
 * file named; what was written before it is whole and kept.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import type Vinyl from 'vinyl';
import { WriteFileError } from '../util/fs-errors';
import { pathUnder } from '../util/contained-path';
import { tempPathFor } from '../util/temp-path';
import { toKey } from './source-path';

/** The end of the build's pipeline: a sink (nothing flows on, so nothing waits to be read). */
export function writeOutputs(dist: string): Writable {
  const made = new Set<string>();
  return new Writable({ objectMode: true, write(file: Vinyl, _encoding, callback) {
    if (!file.isBuffer()) { callback(); return; }
    let path: string;
    try { path = pathUnder(dist, toKey(file.relative)); } catch (error) { callback(error as Error); return; }
    const temp = tempPathFor(path);
    const folder = dirname(path);
    const ready = made.has(folder) ? Promise.resolve() : mkdir(folder, { recursive: true }).then(() => { made.add(folder); });
    ready
      .then(() => writeFile(temp, file.contents))
      .then(() => rename(temp, path))
      .then(() => callback(), async (error: unknown) => {
        await rm(temp, { force: true }).catch(() => undefined);
        callback(new WriteFileError(path, error, 'free space (or fix the folder\'s permissions) and run `gulp build` again: '
          + 'outputs are written whole or not at all, and the manifest was not updated, so nothing half-built is trusted'));
      });
  } });
}
