/**
 * Finds the source images under the source root and identifies each by content: the SHA-256 from the
 * source index when size+mtime+inode match, else by hashing the file — but only when a previous build
 * has an entry to compare with; a new source is hashed from the bytes the renderer reads anyway.
 * Listing uses readdir + stat directly: gulp.src's glob + lstat + stat of 10,000 files alone took 1.95 s,
 * more than the whole no-change budget.
 */
import { readdirSync, statSync, type Stats } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { SourceError, messageOf } from '../errors';
import type { SourceCandidate } from '../plan/build-plan';
import { HashWorkers } from '../util/hash-workers';
import { mapPool } from '../util/pool';
import { badSourceName, isImageFile, isSourceName, parseSourcePath, sourceTooLarge, toKey, type SourceNaming } from './source-path';
import { identityOf, type FileIdentity, type SourceIndex } from './source-index';
import { inShard, type Shard } from './shard';

import { COLLECTION_TYPES, type CollectionType } from './config';

export { COLLECTION_TYPES, type CollectionType } from './config';

export interface Scope {
  readonly type?: CollectionType;
  readonly filter?: RegExp;
  /** --shard i/n: this build's part of the collection, and its own manifest. */
  readonly shard?: Shard;
}

/** Whether a source path (relative, NFC) is within this run's --type/--filter/--shard scope. */
export function inScope(scope: Scope, rel: string): boolean {
  if (scope.type && !rel.startsWith(`${scope.type}/`)) return false;
  if (scope.shard && !inShard(scope.shard, rel)) return false;
  return scope.filter ? scope.filter.test(rel) : true;
}

export interface ScanResult {
  readonly candidates: SourceCandidate[];
  readonly failures: SourceError[];
  /** Sources read and hashed this run (the rest came from the index). */
  readonly hashed: number;
  /** Image files under album/ and artist/ (in scope) that are not named as sources: not built, listed in one warning. */
  readonly ignored: string[];
}

/** `raw`: the path under the root as listed; `rel`: its key form (the manifest key). */
interface FoundFile { readonly raw: string; readonly rel: string; readonly path: string; readonly stat: FileIdentity }

/** What one stat says about a listed name: a file to read, or why it is not one (reported, never silent). */
function statProblem(path: string): { stat: Stats; problem?: undefined } | { stat?: undefined; problem: string } {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return { problem: 'cannot read: it is a symlink to nothing (its target is missing)' };
    // Real folders never get here (the listing skips them): this is a symlink to a folder with an image's name.
    if (stat.isDirectory()) return { problem: 'refused: a symlink to a folder, not an image file' };
    if (!stat.isFile()) return { problem: 'refused: not a regular file (a device, pipe or socket, or a symlink to one)' };
    return { stat };
  } catch (error) {
    return { problem: `cannot read: ${(error as NodeJS.ErrnoException).code ?? messageOf(error)}` };
  }
}

interface Listing { found: FoundFile[]; unreadable: { rel: string; problem: string }[]; ignored: string[] }

/** Sources under album/ and artist/ with their stats, in path order; names that are not files; other image files. */
function listFiles(root: string, scope: Scope, naming: SourceNaming): Listing {
  const found: FoundFile[] = [];
  const unreadable: { rel: string; problem: string }[] = [];
  const ignored: string[] = [];
  for (const type of scope.type ? [scope.type] : COLLECTION_TYPES) {
    let entries;
    try {
      entries = readdirSync(join(root, type), { recursive: true, withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const entry of entries) {
      const path = join(entry.parentPath, entry.name);
      const raw = relative(root, path);
      const rel = toKey(raw);
      if (entry.isDirectory()) {
        // A folder with a source's name is a source gone wrong, not one removed: reported, so its outputs stay.
        if (isSourceName(rel, naming)) unreadable.push({ rel, problem: 'refused: a folder, not an image file' });
        continue;
      }
      if (!isSourceName(rel, naming)) {
        if (isImageFile(entry.name)) ignored.push(rel);
        continue;
      }
      const { stat, problem } = statProblem(path);
      if (stat) found.push({ raw, rel, path, stat: identityOf(stat) });
      else unreadable.push({ rel, problem: problem ?? 'cannot read' });
    }
  }
  return { found: found.sort((a, b) => (a.raw < b.raw ? -1 : a.raw > b.raw ? 1 : 0)), unreadable, ignored: ignored.sort() };
}

/**
 * Lists, filters and identifies the sources. Files are taken in path order, so when two collide (same
 * key once normalised, or same output names, like x-hi-res.jpg and x-hi-res.png) the first one wins
 * every time and the second is reported.
 */
export async function scanSources(
  root: string, scope: Scope, index: SourceIndex, naming: SourceNaming, needsHash: (rel: string) => boolean,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<ScanResult> {
  const { sourceSuffix } = naming;
  const failures: SourceError[] = [];
  const byKey = new Map<string, FoundFile>();
  const byOutput = new Map<string, string>();
  const listed = listFiles(root, scope, naming);
  for (const { rel, problem } of listed.unreadable) {
    if (inScope(scope, rel)) failures.push(new SourceError(rel, problem));
  }
  for (const file of listed.found) {
    const { rel } = file;
    if (!inScope(scope, rel)) continue;
    const badName = badSourceName(rel, sourceSuffix);
    if (badName) {
      failures.push(badName);
      continue;
    }
    if (file.stat.size > maxBytes) {
      failures.push(sourceTooLarge(rel, file.stat.size, maxBytes));
      continue;
    }
    const twin = byKey.get(rel);
    if (twin) {
      failures.push(new SourceError(rel, `two files have this name once normalised to Unicode NFC ("${twin.raw}" and "${file.raw}")`,
        { hint: 'rename one of them: the bucket would store both under one key' }));
      continue;
    }
    const { dir, base } = parseSourcePath(rel, sourceSuffix);
    const output = `${dir}/${base}`;
    const owner = byOutput.get(output);
    if (owner) {
      failures.push(new SourceError(rel, `refused: it and ${owner} would both write the output files ${output}-*`,
        { hint: 'keep one source per album or artist image: remove or rename the other file' }));
      continue;
    }
    byOutput.set(output, rel);
    byKey.set(rel, file);
  }
  // The source index answers for most; the rest (a fresh runner: every source) are hashed on every core,
  // each file only if it is still the one listed.
  const found = [...byKey].map(([rel, file]) => ({ rel, path: file.path, bytes: file.stat.size, stat: file.stat, sha256: index.lookup(rel, file.stat) }));
  const toHash = found.filter((c) => c.sha256 === undefined && needsHash(c.rel));
  const unreadable = new Set<string>();
  if (toHash.length > 0) {
    const workers = new HashWorkers(Math.min(availableParallelism(), toHash.length));
    await mapPool(toHash, workers.capacity, async (c) => {
      try {
        c.sha256 = (await workers.hash({ path: c.path, ...c.stat })).sha256;
        index.remember(c.rel, c.stat, c.sha256);
      } catch (error) {
        failures.push(new SourceError(c.rel, `cannot read: ${messageOf(error)}`));
        unreadable.add(c.rel);
      }
    }).finally(() => workers.close());
  }
  const candidates: SourceCandidate[] = found.filter((c) => !unreadable.has(c.rel));
  const hashed = toHash.length - unreadable.size;
  index.retain(new Set(candidates.map((c) => c.rel)), (rel) => inScope(scope, rel));
  return { candidates, failures, hashed, ignored: listed.ignored.filter((rel) => inScope(scope, rel)) };
}
