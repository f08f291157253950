/**
 * The only deletes the build makes in dist: outputs the previous manifest named and the new one does not,
 * and temp files left by killed writers (in dist and in the cache dir). Every path goes through
 * pathUnder(root, key), whatever checked the key before; a key it refuses is reported, and nothing is
 * deleted for it.
 */
import { readdirSync, statSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { sep } from 'node:path';
import { SourceError, messageOf } from '../errors';
import type { ImageManifest } from '../manifest/types';
import { pathUnder } from '../util/contained-path';
import { mapPool } from '../util/pool';

/** The source (manifest key) whose variant `key` is: stale outputs are reported under their source. */
export function ownerIn(previous: ImageManifest | null): (key: string) => string {
  const owners = new Map<string, string>();
  for (const [rel, source] of Object.entries(previous?.sources ?? {})) for (const v of source.variants) owners.set(v.key, rel);
  return (key) => owners.get(key) ?? key;
}

/** Removes the stale outputs; returns how many were removed and a failure for each key refused. */
export async function removeStale(dist: string, keys: readonly string[], ownerOf: (key: string) => string): Promise<SourceError[]> {
  const failures: SourceError[] = [];
  await mapPool(keys, 16, async (key) => {
    let path: string;
    try { path = pathUnder(dist, key); } catch (error) {
      failures.push(new SourceError(ownerOf(key), `stale output not removed: ${messageOf(error)}`));
      return;
    }
    await unlink(path).catch(() => undefined); // already gone: what we wanted
  });
  return failures;
}

/** `<path>.<tag><pid>-<n>.tmp`, as lib/util/temp-path.ts names them (tags: none, `copying-`, `pull-`). */
const TEMP_NAME = /\.(?:[a-z]+-)?(\d+)-\d+\.tmp$/;
/** A temp file lives for one write (writeFile, then rename: milliseconds). Far older, no write is in progress. */
const ABANDONED_AFTER_MS = 10 * 60_000;
/** Older than this and written by a process that is gone: nothing will rename it. */
const ORPHANED_AFTER_MS = 60_000;

function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, another user's
  }
}

/**
 * Whether a temp file in dist is a leftover. One may belong to a write still in progress: another build
 * in this process (gulp.parallel, overlapping runs) or on this machine; deleting it would fail that
 * build's rename. So a temp file is removed only when its writer's pid is not a live process here and it
 * has not been written to for a minute, or when it is older than any write can take (10 minutes: this
 * covers a reused pid, and a writer in another pid namespace that merely looks dead from here).
 */
export function isLeftoverTemp(name: string, mtimeMs: number, now = Date.now()): boolean {
  const match = TEMP_NAME.exec(name);
  if (!match) return false;
  const pid = Number(match[1]);
  const age = now - mtimeMs;
  if (age > ABANDONED_AFTER_MS) return true;
  return pid > 0 && age > ORPHANED_AFTER_MS && !processIsAlive(pid);
}

/**
 * Removes leftover temp files under `root`, dist or a folder of the cache dir (only that name pattern, only
 * under root); returns their keys. `listed`: root's files, relative, when the caller has listed them already.
 */
export async function removeLeftoverTemps(root: string, listed?: readonly string[]): Promise<string[]> {
  let names: string[];
  try {
    names = (listed ?? readdirSync(root, { recursive: true, encoding: 'utf8' })).filter((name) => name.endsWith('.tmp'));
  } catch {
    return []; // no folder yet
  }
  const now = Date.now();
  const removed: string[] = [];
  for (const name of names) {
    const key = name.split(sep).join('/');
    let path: string;
    try { path = pathUnder(root, key); } catch { continue; } // an odd name we did not write: leave it
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat?.isFile() || !isLeftoverTemp(name, stat.mtimeMs, now)) continue;
    if (await unlink(path).then(() => true, () => false)) removed.push(key);
  }
  return removed;
}
