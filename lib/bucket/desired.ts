/**
 * What the build wants in the bucket: the manifest's objects with an environment's headers, their size
 * names, and their bytes in dist/ (read only under dist/, whatever a manifest key says).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, messageOf } from '../errors';
import { manifestPath, readManifest } from '../manifest/io';
import type { ImageManifest } from '../manifest/types';
import type { DesiredObject } from '../plan/match';
import { pathUnder } from '../util/contained-path';

/** The objects the build wants in the bucket, from the manifest, with this environment's headers. */
export function desiredObjects(manifest: ImageManifest, cacheControl: string): DesiredObject[] {
  return Object.values(manifest.sources).flatMap((source) => source.variants.map((v) => ({
    key: v.key, md5: v.md5, sha256: v.sha256, size: v.bytes, contentType: v.contentType, cacheControl,
  })));
}

export function sizeNames(manifest: ImageManifest): string[] {
  return [...new Set(Object.values(manifest.sources).flatMap((s) => s.variants.map((v) => v.size)))];
}

/**
 * Reads a built object's bytes from dist/. Synchronous on purpose: images are small, and async reads
 * measured ~1 ms of main-thread time each (open, fstat, read, close) against ~0.05 ms synchronously.
 */
export function distReader(dist: string): (object: DesiredObject) => Promise<Buffer> {
  const root = resolve(dist);
  return async (object) => {
    const path = pathUnder(root, object.key);
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ConfigError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? messageOf(error)}`,
        'run `gulp build` to rebuild dist/');
    }
  };
}

/** The build's manifest; `manifestFlag`: the command takes --manifest, so the hint may say so. */
export async function requireManifest(dist: string, file = manifestPath(resolve(dist)), manifestFlag = false): Promise<ImageManifest> {
  const manifest = await readManifest(file);
  // True for the command that asked: the build must write where this command reads, and only some commands take --manifest.
  const build = dist === 'dist' ? 'gulp build' : `gulp build --dest ${dist}`;
  if (!manifest) throw new ConfigError(`no image manifest at ${file}`, `run \`${build}\` first${manifestFlag ? ', or name one with --manifest' : ''}`);
  return manifest;
}
