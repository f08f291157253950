/**
 * A dist/ made of shard builds (`gulp build --shard i/n` on n runners, their dist/ folders downloaded into
 * one): the n manifests read together as the one manifest sync and verify publish. Checked as a whole
 * before anything is planned, because a sync with --delete from an incomplete set would delete the
 * missing shard's objects: every shard of one split present, each source in the shard it names, no key
 * twice, one encoder.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AssetsError, ConfigError } from '../errors';
import { readManifest } from '../manifest/io';
import type { ImageManifest, ManifestSource } from '../manifest/types';
import { inShard, SHARD_MANIFEST, shardManifestName, shardOf } from '../images/shard';
import { printableKey } from '../validate/object-key';

const REBUILD = 'download every shard\'s dist/ into this folder (or rerun the failed build job); nothing was changed';

function shardFiles(dist: string): { name: string; index: number; count: number }[] {
  let names: string[];
  try { names = readdirSync(dist); } catch { return []; }
  return names.flatMap((name) => {
    const match = SHARD_MANIFEST.exec(name);
    return match ? [{ name, index: Number(match[1]), count: Number(match[2]) }] : [];
  });
}

/** Whether dist holds shard manifests (read by readShardManifests). */
export function hasShardManifests(dist: string): boolean {
  return shardFiles(dist).length > 0;
}

/** The shard manifests in `dist` merged into one; undefined when there are none. */
export async function readShardManifests(dist: string): Promise<ImageManifest | undefined> {
  const files = shardFiles(dist);
  if (files.length === 0) return undefined;
  const counts = [...new Set(files.map((f) => f.count))];
  if (counts.length > 1) {
    throw new ConfigError(`${dist} holds shard manifests of different splits (of ${counts.join(' and of ')}): ${files.map((f) => f.name).join(', ')}`,
      'keep only the manifests of this run\'s split; nothing was changed');
  }
  const count = counts[0] as number;
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((index) => !files.some((f) => f.index === index));
  if (missing.length > 0) {
    throw new ConfigError(`${dist} is missing shard(s) ${missing.join(', ')} of ${count} (${missing.map((index) => shardManifestName({ index, count })).join(', ')}): `
      + 'publishing the other shards alone would drop, or with --delete delete, their images', REBUILD);
  }
  const sources: Record<string, ManifestSource> = {};
  const owner = new Map<string, string>();
  const encoders = new Set<string>();
  let updatedAt = '';
  for (const file of files.sort((a, b) => a.index - b.index)) {
    const manifest = await readManifest(join(dist, file.name)).catch((error: unknown) => {
      if (error instanceof AssetsError) throw error; // a manifest that is not one, named by the schema
      throw new ConfigError(`cannot read ${join(dist, file.name)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, REBUILD);
    });
    // A name listed but gone by the time it is read (a dangling symlink): as missing as a shard can be.
    if (!manifest) throw new ConfigError(`${join(dist, file.name)} cannot be read (a dangling link?)`, REBUILD);
    encoders.add(manifest.encoder);
    if (manifest.updatedAt > updatedAt) updatedAt = manifest.updatedAt;
    for (const [rel, source] of Object.entries(manifest.sources)) {
      if (!inShard(file, rel)) {
        throw new ConfigError(`${file.name} lists ${printableKey(rel)}, which belongs to shard ${shardOf(rel, count)} of ${count}: not a manifest \`gulp build --shard ${file.index}/${count}\` wrote`, REBUILD);
      }
      for (const v of source.variants) {
        const first = owner.get(v.key);
        if (first) throw new ConfigError(`${printableKey(v.key)} is in both ${first} and ${file.name}`, REBUILD);
        owner.set(v.key, file.name);
      }
      sources[rel] = source;
    }
  }
  if (encoders.size > 1) {
    throw new ConfigError(`the shard manifests were built by different encoders (${[...encoders].join(', ')})`, 'build every shard with the same version of the tool; nothing was changed');
  }
  return { schema: 1, encoder: [...encoders][0] as string, updatedAt, sources };
}
