/**
 * The files other steps put in dist/ that assets.config.ts `publish`es (russ.fm: its OG cards,
 * `{album,artist}/*\/og-image.png` and `og-image.png`): desired objects like the built images, keyed by
 * their path under dist/, with a content type from their extension, compared by content (MD5 = ETag) and
 * never built. A built image's key is the build's, whatever a glob says; the manifest and the digest
 * index are never published.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, type Dirent } from 'node:fs';
import { join, posix, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../errors';
import { MANIFEST_FILE } from '../manifest/types';
import type { DesiredObject } from '../plan/match';
import { eachGlob } from '../util/globs';
import { imageKeyProblem, printableKey } from '../validate/object-key';
import { DIGEST_INDEX_FILE, openDigestIndex, type DigestIndex } from './digest-index';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.avif': 'image/avif',
  '.gif': 'image/gif', '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.json': 'application/json',
  '.webmanifest': 'application/manifest+json', '.xml': 'application/xml', '.txt': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
};

/** The Content-Type a published file is served with, from its extension (any case). */
export function contentTypeOf(key: string): string {
  return CONTENT_TYPES[posix.extname(key).toLowerCase()] ?? 'application/octet-stream';
}

export interface PublishedScan {
  readonly objects: DesiredObject[];
  /** Publish globs that matched no file in dist/: the step that writes them did not run (their keys are held). */
  readonly idle: string[];
  /** Files hashed this run (the rest came from the digest index). */
  readonly hashed: number;
  readonly seconds: number;
}

export const NOTHING_PUBLISHED: PublishedScan = { objects: [], idle: [], hashed: 0, seconds: 0 };

function filesUnder(root: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(root, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // Regular files only: a symlink in dist/ is never followed out of it.
  return entries.filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).split(sep).join('/'));
}

/**
 * The published files of `dist` as desired objects with `cacheControl`. `built`: the manifest's keys.
 * A file whose name cannot be a key (not NFC, a control character…) is refused by name, before any request.
 */
/**
 * A published file's digests, judged by what its open descriptor says: opened without blocking (a FIFO swapped
 * in after the listing would otherwise wait forever, with Ctrl-C unheard) or following a link, refused unless a regular file, and
 * read (on an index miss) from that same descriptor, no further than its size.
 */
export function digestsOfOpened(path: string, key: string, index: DigestIndex): { md5: string; sha256: string; size: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOOP') throw error;
    throw new ConfigError(`${path}: a published file that is a symlink: links are never followed out of dist/`, 'replace the link with the file to publish');
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      throw new ConfigError(`${path}: a published file that is not a regular file (a FIFO, device or folder)`, 'replace it with the file to publish');
    }
    const read = () => {
      const bytes = Buffer.alloc(stat.size);
      let got = 0;
      for (let n = 1; got < stat.size && n > 0; got += n) n = readSync(fd, bytes, got, stat.size - got, got);
      if (got !== stat.size) throw new ConfigError(`${path}: it changed while it was read`, 'run the same command again');
      return bytes;
    };
    return { ...index.digests(key, stat, read), size: stat.size };
  } finally {
    closeSync(fd);
  }
}

export async function scanPublished(dist: string, globs: readonly string[], cacheControl: string, built: ReadonlySet<string>): Promise<PublishedScan> {
  if (globs.length === 0) return NOTHING_PUBLISHED;
  const started = performance.now();
  const root = resolve(dist);
  const matchers = eachGlob(globs);
  const used = new Set<string>();
  const index = openDigestIndex(root);
  const objects: DesiredObject[] = [];
  for (const key of filesUnder(root).sort()) {
    if (key === MANIFEST_FILE || key === DIGEST_INDEX_FILE || /\.tmp$/.test(key)) continue;
    const matching = matchers.filter((m) => m.matches(key));
    if (matching.length === 0) continue;
    for (const m of matching) used.add(m.glob);
    if (built.has(key)) continue;
    const problem = imageKeyProblem(key);
    if (problem) {
      throw new ConfigError(`${join(dist, key)}: a published file whose name cannot be a bucket key: ${printableKey(key)} ${problem}`,
        'rename the file (or narrow the `publish` glob in assets.config.ts that names it)');
    }
    const path = join(root, ...key.split('/'));
    const { md5, sha256, size } = digestsOfOpened(path, key, index);
    objects.push({ key, md5, sha256, size, contentType: contentTypeOf(key), cacheControl, origin: { published: true } });
  }
  await index.save();
  return { objects, idle: globs.filter((g) => !used.has(g)), hashed: index.hashed, seconds: (performance.now() - started) / 1000 };
}
