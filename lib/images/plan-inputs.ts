/**
 * What the build plan is given from disk, read before planning so planning stays pure: the previous
 * manifest (dist's, else the copy the render cache kept of it), which outputs are in dist with their
 * recorded size, and which renders are in the cache with theirs.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { manifestPath, readManifest } from '../manifest/io';
import type { ImageManifest, ManifestVariant } from '../manifest/types';
import { pathUnder } from '../util/contained-path';
import { sha256Of } from '../util/hash';
import type { RenderCache } from './render-cache';
import type { Shard } from './shard';

export interface Previous {
  readonly manifest: ImageManifest | null;
  /** Read from dist/images.json (else from the render cache's copy: dist was wiped, or its manifest deleted). */
  readonly inDist: boolean;
  /** With no record of this dist at all: another dist's, sharing the cache (renders to reuse, nothing to carry or remove). */
  readonly known: ImageManifest | null;
}

/**
 * dist's manifest; when dist has none, the render cache's copy of it (also with --no-cache: it is what dist
 * held, and a scoped run carries the entries outside its scope from it); with neither, the bucket's latest
 * release when the build was given one (`remote`, marked: a fresh runner's previous state is what the
 * bucket holds), else the other dists' sharing the cache.
 */
export async function loadPrevious(dist: string, renders: RenderCache, remote?: ImageManifest, shard?: Shard): Promise<Previous> {
  const inDist = await readManifest(manifestPath(dist, shard));
  if (inDist) return { manifest: inDist, inDist: true, known: null };
  const copy = await renders.loadManifest(dist, shard);
  if (copy) return { manifest: copy, inDist: false, known: null };
  if (remote) return { manifest: remote, inDist: false, known: null };
  return { manifest: null, inDist: false, known: await renders.loadOtherManifest(dist, shard) };
}

export interface PlanChecks {
  /** The output is in dist with its recorded size. */
  readonly present: (key: string, bytes: number) => boolean;
  /** Its render is in the cache with its recorded size and SHA-256 (asked only of outputs not present). */
  readonly inCache: (variant: ManifestVariant) => boolean;
  /** dist's file has the variant's very bytes (asked only of a remote-marked output present by size). */
  readonly holds: (variant: ManifestVariant) => boolean;
}

/**
 * The disk checks the planner asks once per variant it considers. Sync stats: 20,000 promises cost more.
 * With --no-cache nothing is present and nothing is cached.
 */
export function planChecks(dist: string, renders: RenderCache, noCache: boolean): PlanChecks {
  if (noCache) return { present: () => false, inCache: () => false, holds: () => false };
  // After `rm -rf dist`: nothing can be there (and pathUnder would look for each missing parent of each key).
  const distExists = existsSync(dist);
  return {
    // The manifest was validated; pathUnder still stands between its keys and the disk.
    present: (key, bytes) => distExists && statSync(pathUnder(dist, key), { throwIfNoEntry: false })?.size === bytes,
    inCache: (variant) => renders.has(variant),
    holds: (variant) => {
      try { return sha256Of(readFileSync(pathUnder(dist, variant.key))) === variant.sha256; } catch { return false; }
    },
  };
}
