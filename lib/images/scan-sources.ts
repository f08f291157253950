/**
 * Finds the source images under the source root with gulp.src (stat only, no reads) and identifies each
 * by content: the SHA-256 from the source index when size+mtime+inode match, else by hashing the file.
 */
import { src } from 'gulp';
import type { Stats } from 'node:fs';
import type Vinyl from 'vinyl';
import { SourceError, messageOf } from '../errors';
import type { SourceCandidate } from '../plan/build-plan';
import { sha256OfFile } from '../util/hash';
import { mapPool } from '../util/pool';
import { isSourceImage, parseSourcePath, toKey } from './source-path';
import type { SourceIndex } from './source-index';

export type CollectionType = 'album' | 'artist';
export const COLLECTION_TYPES: readonly CollectionType[] = ['album', 'artist'];

export interface Scope {
  readonly type?: CollectionType;
  readonly filter?: RegExp;
}

/** Whether a source path (relative, NFC) is within this run's --type/--filter scope. */
export function inScope(scope: Scope, rel: string): boolean {
  if (scope.type && !rel.startsWith(`${scope.type}/`)) return false;
  return scope.filter ? scope.filter.test(rel) : true;
}

export interface ScanResult {
  readonly candidates: SourceCandidate[];
  readonly failures: SourceError[];
  /** Sources read and hashed this run (the rest came from the index). */
  readonly hashed: number;
}

async function listFiles(root: string, scope: Scope): Promise<Vinyl[]> {
  const types = scope.type ? [scope.type] : COLLECTION_TYPES;
  const files: Vinyl[] = [];
  const stream = src(types.map((t) => `${t}/**/*`), { cwd: root, base: root, read: false, encoding: false, allowEmpty: true });
  for await (const file of stream as AsyncIterable<Vinyl>) if (file.stat?.isFile()) files.push(file);
  return files;
}

/**
 * Lists, filters and identifies the sources. Files are taken in path order, so when two collide (same
 * key once normalised, or same output names, like x-hi-res.jpg and x-hi-res.png) the first one wins
 * every time and the second is reported.
 */
export async function scanSources(root: string, scope: Scope, index: SourceIndex, sourceSuffix: string): Promise<ScanResult> {
  const failures: SourceError[] = [];
  const byKey = new Map<string, Vinyl>();
  const byOutput = new Map<string, string>();
  const files = (await listFiles(root, scope)).sort((a, b) => (a.relative < b.relative ? -1 : 1));
  for (const file of files) {
    const rel = toKey(file.relative);
    if (!isSourceImage(rel) || !inScope(scope, rel)) continue;
    const twin = byKey.get(rel);
    if (twin) {
      failures.push(new SourceError(rel, `two files have this name once normalised to Unicode NFC ("${twin.relative}" and "${file.relative}")`,
        { hint: 'rename one of them: the bucket would store both under one key' }));
      continue;
    }
    const { dir, base } = parseSourcePath(rel, sourceSuffix);
    const output = `${dir}/${base}`;
    const owner = byOutput.get(output);
    if (owner) {
      failures.push(new SourceError(rel, `would write the same output files (${output}-*) as ${owner}`,
        { hint: 'keep one source per album or artist image: remove or rename the other file' }));
      continue;
    }
    byOutput.set(output, rel);
    byKey.set(rel, file);
  }
  let hashed = 0;
  const results = await mapPool([...byKey], 8, async ([rel, file]) => {
    const stat = file.stat as Stats;
    const known = index.lookup(rel, stat);
    if (known) return { rel, path: file.path, bytes: stat.size, sha256: known };
    try {
      const { sha256 } = await sha256OfFile(file.path);
      hashed += 1;
      index.remember(rel, stat, sha256);
      return { rel, path: file.path, bytes: stat.size, sha256 };
    } catch (error) {
      failures.push(new SourceError(rel, `cannot read: ${messageOf(error)}`));
      return null;
    }
  });
  const candidates = results.filter((c): c is SourceCandidate => c !== null);
  index.retain(new Set(candidates.map((c) => c.rel)), (rel) => inScope(scope, rel));
  return { candidates, failures, hashed };
}
