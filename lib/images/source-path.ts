import { posix } from 'node:path';

/** Extensions we read as sources (compared case-insensitively). */
export const SOURCE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.avif', '.tif', '.tiff', '.gif'];

export type SourceType = 'album' | 'artist' | 'other';

export interface SourcePath {
  /** Path relative to the source root: POSIX separators, Unicode NFC (R2 stores NFC keys). */
  readonly rel: string;
  readonly type: SourceType;
  /** The folder name under album/ or artist/ (russ.fm's slug). */
  readonly slug: string;
  /** Folder of the outputs, relative to dist. */
  readonly dir: string;
  /** File stem without the source suffix: outputs are `<dir>/<base>-<size>.<ext>`. */
  readonly base: string;
}

/** True for files we treat as source images, by extension, case-insensitively. */
export function isSourceImage(relPath: string): boolean {
  return SOURCE_EXTENSIONS.includes(posix.extname(relPath).toLowerCase());
}

/** Normalises a relative path to the key form used everywhere: POSIX separators and NFC. */
export function toKey(relPath: string): string {
  return relPath.split('\\').join('/').normalize('NFC');
}

/** Parses `album/<slug>/<slug>-hi-res.jpg` (any depth, any name) into the parts outputs are named from. */
export function parseSourcePath(relPath: string, sourceSuffix: string): SourcePath {
  const rel = toKey(relPath);
  const dir = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
  const top = rel.split('/', 1)[0];
  const type: SourceType = top === 'album' || top === 'artist' ? top : 'other';
  const stem = posix.basename(rel, posix.extname(rel));
  const base = sourceSuffix && stem.endsWith(sourceSuffix) && stem.length > sourceSuffix.length
    ? stem.slice(0, -sourceSuffix.length)
    : stem;
  const parts = rel.split('/');
  const slug = type !== 'other' && parts.length >= 3 ? (parts[1] as string) : base;
  return { rel, type, slug, dir, base };
}
