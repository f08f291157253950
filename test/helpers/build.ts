/** Running the library build in tests, and reading back what it left in dist. */
import { readFile, readdir, stat, utimes } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { buildImages, type BuildOptions, type BuildSummary } from '../../lib/images/build';
import { DEFAULT_IMAGE_CONFIG, PRESETS, type ImageConfig } from '../../lib/images/config';
import type { ImageManifest } from '../../lib/manifest/types';
import type { Workspace } from './tmp';

export type BuildOverrides = Partial<Omit<BuildOptions, 'config'>> & { config?: Partial<ImageConfig> };

/** `gulp build` as a library call on a workspace: default config, quiet, 2 sources in flight. */
export function runBuild(ws: Workspace, overrides: BuildOverrides = {}): Promise<BuildSummary> {
  const { config, ...rest } = overrides;
  return buildImages({
    src: ws.src, dest: ws.dest, cacheDir: ws.cache, concurrency: 2, noCache: false, scope: {}, quiet: true,
    ...rest,
    config: { ...DEFAULT_IMAGE_CONFIG, ...config },
  });
}

/**
 * The same on the four-size preset (hi-res, medium, small, avatar for every source, decode-once): for the
 * tests of cache and scope logic, which need several sizes per source to show a partial rebuild.
 */
export function runBuild4(ws: Workspace, overrides: BuildOverrides = {}): Promise<BuildSummary> {
  return runBuild(ws, { ...overrides, config: { ...PRESETS['four-size'], ...overrides.config } });
}

export async function readManifestOf(ws: Workspace): Promise<ImageManifest> {
  return JSON.parse(await readFile(join(ws.dest, 'images.json'), 'utf8')) as ImageManifest;
}

/** Every file under `root`, relative, POSIX, sorted (the manifest excluded unless asked). */
export async function listFiles(root: string, includeManifest = false): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).split('\\').join('/'))
    .filter((rel) => includeManifest || rel !== 'images.json')
    .sort();
}

/** A moment far in the past: outputs are backdated to it, so any rewrite shows as a changed mtime. */
export const BACKDATE = new Date('2001-02-03T04:05:06Z');

/** Sets every output file's mtime to BACKDATE. */
export async function backdateOutputs(ws: Workspace): Promise<void> {
  for (const rel of await listFiles(ws.dest, true)) await utimes(join(ws.dest, rel), BACKDATE, BACKDATE);
}

/** Output files whose mtime is no longer BACKDATE: the files the last build (re)wrote. */
export async function rewrittenOutputs(ws: Workspace, includeManifest = false): Promise<string[]> {
  const changed: string[] = [];
  for (const rel of await listFiles(ws.dest, includeManifest)) {
    const { mtimeMs } = await stat(join(ws.dest, rel));
    if (mtimeMs !== BACKDATE.getTime()) changed.push(rel);
  }
  return changed;
}
