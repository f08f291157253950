/**
 * A synthetic dist/ in russ.fm's key layout for the rollback benchmark: albums with hi-res, medium and
 * small covers, artists with hi-res, medium, small and avatar, a few KB of random bytes each (the bench
 * counts requests and time, not bytes), and an images.json that sync reads.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { manifestPath, writeManifest } from '../lib/manifest/io';
import { MANIFEST_SCHEMA, type ImageManifest, type ManifestSource } from '../lib/manifest/types';
import { digestsOf } from '../lib/util/hash';

const SIZES = { album: ['hi-res', 'medium', 'small'], artist: ['hi-res', 'medium', 'small', 'avatar'] } as const;

/** `count` object keys: three albums for every artist, in russ.fm's `<type>/<slug>/<slug>-<size>.jpg` layout. */
export function russfmKeys(count: number): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i += 1) {
    const type = i % 4 === 3 ? 'artist' : 'album';
    const slug = `${type}-${String(i).padStart(5, '0')}`;
    for (const size of SIZES[type]) if (keys.length < count) keys.push(`${type}/${slug}/${slug}-${size}.jpg`);
  }
  return keys;
}

/** `bytes` ± 50 % of random bytes, so no two objects share content (and so no archive key). */
export function randomBody(bytes: number): Buffer {
  return randomBytes(Math.max(1, Math.round(bytes * (0.5 + Math.random()))));
}

export function manifestOf(files: ReadonlyMap<string, Buffer>): ImageManifest {
  const sources: Record<string, ManifestSource> = {};
  for (const [key, body] of files) {
    const [type, slug] = key.split('/') as ['album' | 'artist', string];
    const source = `${type}/${slug}/${slug}-hi-res.jpg`;
    // The source's own digest must look like one (the manifest is schema-checked): the key's, as there is no source file.
    const entry = sources[source] ?? { type, slug, bytes: 1, sha256: digestsOf(Buffer.from(source)).sha256, width: 2000, height: 2000, variants: [] };
    const size = key.slice(key.lastIndexOf(`${slug}-`) + slug.length + 1, -'.jpg'.length);
    sources[source] = { ...entry, variants: [...entry.variants, {
      size, format: 'jpeg', key, width: 10, height: 10, bytes: body.length, contentType: 'image/jpeg', ...digestsOf(body), cacheKey: 'bench',
    }] };
  }
  return { schema: MANIFEST_SCHEMA, encoder: 'bench', updatedAt: '', sources };
}

/** Writes the named files (default: all) into dist/ and the manifest of all of them; returns the manifest. */
export async function writeDist(dist: string, files: ReadonlyMap<string, Buffer>, only: Iterable<string> = files.keys()): Promise<ImageManifest> {
  for (const key of only) {
    await mkdir(dirname(join(dist, key)), { recursive: true });
    await writeFile(join(dist, key), files.get(key) as Buffer);
  }
  const manifest = manifestOf(files);
  await writeManifest(manifestPath(dist), manifest);
  return manifest;
}
