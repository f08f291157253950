/**
 * The only deletes the build makes in the cache dir: renders no kept manifest copy names, manifest copies
 * beyond the newest MAX_DISTS, and temp files of killed writers. Only names of those patterns, only under
 * the cache dir, each through pathUnder.
 *
 * Several dists may share one cache dir (`--dest` variations, worktrees): each keeps its manifest copy, and a
 * render stays while any kept copy names it. A scoped run (`--type`, `--filter`) writes the whole manifest,
 * entries it carried included, so it never prunes the renders of the sources it did not look at.
 */
import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest } from '../manifest/io';
import type { ManifestSource } from '../manifest/types';
import { pathUnder } from '../util/contained-path';
import { removeLeftoverTemps } from './dist-cleanup';
import { MANIFESTS_DIR, RENDER_NAME, RENDERS_DIR, renderKeyOf, type RenderCache } from './render-cache';

/** Dists whose renders one cache dir keeps: the growth bound is this many collections' worth of renders. */
export const MAX_DISTS = 8;

export interface PruneResult {
  /** Renders deleted: named by no kept manifest copy. */
  renders: number;
  /** Manifest copies of dists not built for the longest (beyond MAX_DISTS). */
  manifests: number;
  /** Temp files of killed writers. */
  leftovers: number;
}

/**
 * `<2 hex>/<name>` of every file under renders/: the two levels the cache writes (nothing deeper is ours).
 * Two plain listings: readdirSync's `recursive` took ten times as long for 20,000 renders.
 */
function listRenders(root: string): string[] {
  const folder = join(root, RENDERS_DIR);
  let shards: string[];
  try { shards = readdirSync(folder); } catch { return []; } // no renders yet
  const out: string[] = [];
  for (const shard of shards) {
    if (!/^[0-9a-f]{2}$/.test(shard)) continue;
    let names: string[];
    try { names = readdirSync(join(folder, shard)); } catch { continue; } // not a folder
    for (const name of names) out.push(`${shard}/${name}`);
  }
  return out;
}

function renderKeysOf(sources: Iterable<ManifestSource>, into: Set<string>): void {
  for (const source of sources) {
    for (const v of source.variants) {
      const key = renderKeyOf(v.cacheKey, v.key);
      if (key !== undefined) into.add(key);
    }
  }
}

/** Keeps the newest MAX_DISTS manifest copies (`own`, just written, among them); returns the others kept, and how many went. */
function boundCopies(cache: RenderCache, own: string): { others: string[]; dropped: number } {
  const copies = cache.manifestCopies().sort((a, b) => Number(b.path === own) - Number(a.path === own));
  let dropped = 0;
  for (const copy of copies.slice(MAX_DISTS)) {
    try { unlinkSync(copy.path); dropped += 1; } catch { /* gone already */ }
  }
  return { others: copies.slice(0, MAX_DISTS).map((c) => c.path).filter((path) => path !== own), dropped };
}

/**
 * After a build wrote `sources` as its manifest and its copy `ownCopy`: deletes what no kept copy names.
 * Another dist's copy that cannot be read names nothing (it is only a cache; that dist re-renders).
 */
export async function pruneRenderCache(cache: RenderCache, ownCopy: string, sources: Iterable<ManifestSource>): Promise<PruneResult> {
  const { root } = cache;
  const { others, dropped } = boundCopies(cache, ownCopy);
  const named = new Set<string>();
  renderKeysOf(sources, named);
  for (const path of others) {
    const manifest = await readManifest(path).catch(() => null);
    if (manifest) renderKeysOf(Object.values(manifest.sources), named);
  }
  let renders = 0;
  const listed = listRenders(root);
  for (const name of listed) {
    const key = `${RENDERS_DIR}/${name}`;
    if (!RENDER_NAME.test(name) || named.has(key)) continue;
    try { unlinkSync(pathUnder(root, key)); renders += 1; } catch { /* gone already, or refused: left alone */ }
  }
  // Only in the folders the cache writes in bulk: a --cache-dir pointed at a busy folder is not swept.
  const leftovers = (await removeLeftoverTemps(join(root, RENDERS_DIR), listed)).length
    + (await removeLeftoverTemps(join(root, MANIFESTS_DIR))).length;
  return { renders, manifests: dropped, leftovers };
}
