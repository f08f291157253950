/** Every fixture path and constant the tests share. */
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const GULP_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'gulp');

/**
 * Real photographs shipped with the repo (1024 px on the long side; credits and licences in CREDITS.md
 * there). Tests crop and scale them to the sizes they need, up as well as down.
 */
export const PHOTOS_DIR = join(REPO_ROOT, 'test', 'fixtures', 'photos');
export const PHOTO = {
  landscape: join(PHOTOS_DIR, 'citrus-fruits.jpg'),
  bridge: join(PHOTOS_DIR, 'cincinnati-bridge.jpg'),
  bee: join(PHOTOS_DIR, 'european-honey-bee.jpg'),
} as const;

/** Prefix of every temp dir the suite creates under os.tmpdir(). */
export const TMP_PREFIX = 'russfm-assets-test-';

/** Default size names, in the order the issue lists them. */
export const SIZE_NAMES = ['hi-res', 'medium', 'small', 'avatar'] as const;

/** russ.fm's source layout: `album/<slug>/<slug>-hi-res.jpg`. */
export function albumSource(slug: string, ext = 'jpg'): string {
  return `album/${slug}/${slug}-hi-res.${ext}`;
}

export function artistSource(slug: string, ext = 'jpg'): string {
  return `artist/${slug}/${slug}-hi-res.${ext}`;
}

/** Output key of one size of an album/artist source: `album/<slug>/<slug>-medium.jpg`. */
export function outputKey(type: 'album' | 'artist', slug: string, size: string, ext = 'jpg'): string {
  return `${type}/${slug}/${slug}-${size}.${ext}`;
}
