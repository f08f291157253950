/**
 * The end of a build, once every render and restore is done: failed sources keep their previous entries,
 * stale outputs and leftover temp files leave dist, the manifest is written (and its copy kept in the
 * cache), and the render cache is pruned to what the kept manifests name.
 */
import type { SourceError } from '../errors';
import { manifestPath, writeManifest } from '../manifest/io';
import { MANIFEST_SCHEMA, type ImageManifest, type ManifestSource } from '../manifest/types';
import { staleKeys } from '../plan/build-plan';
import { ownerIn, removeLeftoverTemps, removeStale } from './dist-cleanup';
import type { RenderCache } from './render-cache';
import type { Shard } from './shard';
import { pruneRenderCache, type PruneResult } from './render-cache-prune';

export interface FinishInput {
  readonly dist: string;
  readonly previous: ImageManifest | null;
  /** The previous manifest is dist's own (not the cache's copy of it). */
  readonly previousInDist: boolean;
  readonly encoder: string;
  /** The new manifest's entries; failed sources get their previous entries back here. */
  readonly next: Record<string, ManifestSource>;
  /** Sources rendered this run (fully or partly). */
  readonly rendered: number;
  /** Collected failures; stale outputs that could not be removed are added. */
  readonly failures: SourceError[];
  readonly renders: RenderCache;
  /** A shard build's manifest is its own (`images.shard-i-of-n.json`). */
  readonly shard?: Shard;
  /** The previous manifest is the bucket's (the remote build cache): it names no file of this dist, so none is removed for it. */
  readonly previousFromBucket?: boolean;
}

export interface FinishResult {
  readonly stale: string[];
  readonly leftovers: number;
  readonly pruned: PruneResult;
  /** The manifest written (or kept, unchanged). */
  readonly manifest: ImageManifest;
}

export async function finishBuild(input: FinishInput): Promise<FinishResult> {
  const { dist, previous, next, failures } = input;
  // A source that failed keeps its previous entry and outputs: never delete on a guess.
  for (const failure of failures) {
    const before = previous?.sources[failure.file];
    if (before && !next[failure.file]) next[failure.file] = before;
  }
  const stale = input.previousFromBucket ? [] : staleKeys(previous, next);
  failures.push(...await removeStale(dist, stale, ownerIn(previous)));
  const leftovers = await removeLeftoverTemps(dist);
  // The plan hands back the previous entry object itself for every untouched source, so identity tells.
  const unchanged = previous !== null && input.previousInDist && previous.encoder === input.encoder && input.rendered === 0
    && stale.length === 0 && Object.keys(next).length === Object.keys(previous.sources).length
    && Object.entries(next).every(([rel, entry]) => previous.sources[rel] === entry);
  const manifest = unchanged ? previous : {
    schema: MANIFEST_SCHEMA, encoder: input.encoder, updatedAt: new Date().toISOString(), sources: next,
  };
  if (!unchanged) await writeManifest(manifestPath(dist, input.shard), manifest);
  const copy = await input.renders.saveManifest(dist, manifest, !unchanged, input.shard);
  const pruned = await pruneRenderCache(input.renders, copy, Object.values(next));
  return { stale, leftovers: leftovers.length, pruned, manifest };
}
