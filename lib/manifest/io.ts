import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WriteFileError } from '../util/fs-errors';
import { parseManifest } from '../validate/records';
import { MANIFEST_FILE, type ImageManifest } from './types';
import { manifestText } from './manifest-text';
import { tempPathFor } from '../util/temp-path';
import { shardManifestName, type Shard } from '../images/shard';

/** dist's manifest: `images.json`, or a shard build's own (`images.shard-i-of-n.json`). */
export function manifestPath(dist: string, shard?: Shard): string {
  return join(dist, shard ? shardManifestName(shard) : MANIFEST_FILE);
}

const WRITE_HINT = 'free space (or fix the folder\'s permissions) and run the same command again';

/** Writes JSON via a temp file and rename, so readers never see half a file. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeTextAtomic(path, [`${JSON.stringify(value, null, 1)}\n`]);
}

/** Pieces of text written in turn (about 1 MB at a time) via a temp file and rename: the whole text is never in memory. */
export async function writeTextAtomic(path: string, pieces: Iterable<string>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  try {
    const file = await open(temp, 'w');
    try {
      let batch = '';
      for (const piece of pieces) {
        batch += piece;
        if (batch.length >= 1 << 20) { await file.writeFile(batch); batch = ''; }
      }
      await file.writeFile(batch);
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new WriteFileError(path, error, WRITE_HINT);
  }
}

/**
 * Reads a manifest; null when there is none yet. A file that exists but does not pass the manifest schema
 * (every variant key checked against the one key grammar) is refused with BadRecordError naming the file
 * and the first problem: the build deletes only what the manifest names, so a damaged or hostile manifest
 * must never be half-trusted.
 */
export async function readManifest(path: string): Promise<ImageManifest | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return parseManifest(text, path, `delete ${path} and run \`gulp build --no-cache\` to rebuild it from the sources`);
}

/** Sources in path order; each variant's versioned path derived here, from its key and MD5, so it can never disagree with them. */
export async function writeManifest(path: string, manifest: ImageManifest): Promise<void> {
  await writeTextAtomic(path, manifestText(manifest));
}
