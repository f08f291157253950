/**
 * The local fast path of the build cache: size + mtime + inode of each source, mapped to its SHA-256.
 * When all three match, the source is not read again. After a fresh clone they never match, and the
 * sources are re-hashed (cheap) — the content hash, not this index, decides what is rebuilt.
 */
import { readFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { writeJsonAtomic } from '../manifest/io';

export interface IndexEntry { size: number; mtimeMs: number; ino: number; sha256: string }

/** The stat fields the index compares: kept per source instead of an fs.Stats, which carries four Dates (≈ 0.7 KB a source). */
export type FileIdentity = Pick<Stats, 'size' | 'mtimeMs' | 'ino'>;

export function identityOf(stat: FileIdentity): FileIdentity {
  return { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino };
}

export class SourceIndex {
  private changed = false;

  private constructor(private readonly path: string, private readonly entries: Record<string, IndexEntry>) {}

  static async load(path: string): Promise<SourceIndex> {
    try {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as { entries?: Record<string, IndexEntry> };
      return new SourceIndex(path, parsed.entries ?? {});
    } catch {
      return new SourceIndex(path, {}); // missing or unreadable: it is only a cache
    }
  }

  /** The remembered hash when the file's size, mtime and inode are unchanged. */
  lookup(rel: string, stat: FileIdentity): string | undefined {
    const entry = this.entries[rel];
    if (entry && entry.size === stat.size && entry.mtimeMs === stat.mtimeMs && entry.ino === stat.ino) {
      return entry.sha256;
    }
    return undefined;
  }

  remember(rel: string, stat: FileIdentity, sha256: string): void {
    this.entries[rel] = { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino, sha256 };
    this.changed = true;
  }

  /** Drops entries for sources that no longer exist, so the index does not grow forever. */
  retain(rels: ReadonlySet<string>, inScope: (rel: string) => boolean): void {
    for (const rel of Object.keys(this.entries)) {
      if (inScope(rel) && !rels.has(rel)) {
        delete this.entries[rel];
        this.changed = true;
      }
    }
  }

  async save(): Promise<void> {
    if (this.changed) await writeJsonAtomic(this.path, { schema: 1, entries: this.entries });
    this.changed = false;
  }
}
