/**
 * Sharded builds (`gulp build --shard i/n`): a stable partition of the sources by the hash of their slug,
 * so n jobs (a GitHub Actions matrix) each render one part, each writing its own manifest
 * (`images.shard-i-of-n.json`); the sync reads the n manifests together (lib/bucket/shard-manifests.ts).
 * The partition depends only on the slug and n: a cover and its re-encode land in the same shard on every
 * run, and so does an album and its artist image of the same slug.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../errors';
import type { ImageManifest } from '../manifest/types';

export interface Shard {
  /** 1-based, as a matrix lists them. */
  readonly index: number;
  readonly count: number;
}

/** More shards than this is more runners than sources worth splitting. */
export const MAX_SHARDS = 256;
export const SHARD_MANIFEST = /^images\.shard-(\d{1,3})-of-(\d{1,3})\.json$/;

/** `--shard i/n`, checked where it enters. */
export function parseShard(text: string): Shard {
  const match = /^(\d{1,3})\/(\d{1,3})$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    throw new UsageError(`--shard "${text}": use i/n with 1 ≤ i ≤ n ≤ ${MAX_SHARDS}, e.g. --shard 2/3 (the second of three)`);
  }
  return { index, count };
}

/** The shard (1-based) of a source path `<type>/<slug>/…`: by its slug's SHA-256. */
export function shardOf(rel: string, count: number): number {
  const slug = rel.split('/')[1] ?? rel;
  return (createHash('sha256').update(slug).digest().readUInt32BE(0) % count) + 1;
}

export function inShard(shard: Shard, rel: string): boolean {
  return shardOf(rel, shard.count) === shard.index;
}

export function shardManifestName(shard: Shard): string {
  return `images.shard-${shard.index}-of-${shard.count}.json`;
}

/** The manifest's sources of this shard only (a previous state read from the bucket covers them all). */
export function onlyShard(manifest: ImageManifest, shard: Shard): ImageManifest {
  return { ...manifest, sources: Object.fromEntries(Object.entries(manifest.sources).filter(([rel]) => inShard(shard, rel))) };
}
