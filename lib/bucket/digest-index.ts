/**
 * MD5 and SHA-256 of the files `publish` names, remembered by (size, mtime, inode) in `<dist>/.publish-digests.json`,
 * so a sync or verify that finds the files unchanged since the last run stats them and hashes nothing
 * (4,700 OG cards of ~0.7 MB are ~3 GB: about 12 s of hashing on one core, see README.md). A file whose size,
 * mtime or inode moved (another file renamed into place with the same size and mtime) is hashed again; an unreadable index is simply rebuilt. It lives in dist/, so a fresh dist/
 * (`rm -rf dist` in CI) starts a fresh index, as the files in it are fresh too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../manifest/io';
import { digestsOf, type Digests } from '../util/hash';

export const DIGEST_INDEX_FILE = '.publish-digests.json';

type Entry = [size: number, mtimeMs: number, md5: string, sha256: string, ino: number];

/** What identifies a file's version without reading it. */
export interface FileVersion { readonly size: number; readonly mtimeMs: number; readonly ino: number }

export interface DigestIndex {
  /** The digests of a file, from the index when its size, mtime and inode are as recorded, else by hashing `read()`. */
  digests(key: string, version: FileVersion, read: () => Buffer): Digests;
  /** Files hashed (index misses) so far. */
  readonly hashed: number;
  /** Writes the index if anything changed (entries of files no longer published are dropped). */
  save(): Promise<void>;
}

function load(path: string): Record<string, Entry> {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { schema?: number; files?: Record<string, Entry> };
    return parsed.schema === 2 && parsed.files && typeof parsed.files === 'object' ? parsed.files : {};
  } catch {
    return {};
  }
}

const isEntry = (e: unknown): e is Entry => Array.isArray(e) && e.length === 5 && typeof e[2] === 'string' && typeof e[3] === 'string';

export function openDigestIndex(dist: string): DigestIndex {
  const path = join(dist, DIGEST_INDEX_FILE);
  const before = load(path);
  const after: Record<string, Entry> = {};
  let hashed = 0;
  return {
    digests(key, { size, mtimeMs, ino }, read) {
      const known = before[key];
      if (isEntry(known) && known[0] === size && known[1] === mtimeMs && known[4] === ino) {
        after[key] = known;
        return { md5: known[2], sha256: known[3] };
      }
      hashed += 1;
      const digests = digestsOf(read());
      after[key] = [size, mtimeMs, digests.md5, digests.sha256, ino];
      return digests;
    },
    get hashed() { return hashed; },
    async save() {
      const same = Object.keys(after).length === Object.keys(before).length && hashed === 0;
      if (!same) await writeJsonAtomic(path, { schema: 2, files: after }).catch(() => undefined); // only a cache
    },
  };
}
