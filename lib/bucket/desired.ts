/**
 * What a run wants in the bucket: the manifest's objects with an environment's headers, their size
 * names, the files the config publishes from dist/, and their bytes there (read only under dist/,
 * whatever a key says).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, messageOf } from '../errors';
import { manifestPath, readManifest } from '../manifest/io';
import type { ImageManifest } from '../manifest/types';
import type { DesiredObject } from '../plan/match';
import { pathUnder } from '../util/contained-path';
import { md5Of } from '../util/hash';
import { hasShardManifests, readShardManifests } from './shard-manifests';
import { managedKeys, type KeyRules, type ManagedKeys } from './managed-keys';
import { keyInScope, type ObjectScope } from './object-scope';
import { NOTHING_PUBLISHED, scanPublished, type PublishedScan } from './published';

/** The objects the build wants in the bucket, from the manifest, with this environment's headers. */
export function desiredObjects(manifest: ImageManifest, cacheControl: string): DesiredObject[] {
  return Object.values(manifest.sources).flatMap((source) => source.variants.map((v) => ({
    key: v.key, md5: v.md5, sha256: v.sha256, size: v.bytes, contentType: v.contentType, cacheControl,
    origin: { size: v.size, passthrough: v.passthrough, remote: v.remote },
  })));
}

export function sizeNames(manifest: ImageManifest): string[] {
  return [...new Set(Object.values(manifest.sources).flatMap((s) => s.variants.map((v) => v.size)))];
}

/** The release a remote-marked object came from (the remote build cache left it in the bucket), or undefined. */
export const remoteOf = (o: DesiredObject): string | undefined => (o.origin && 'remote' in o.origin ? o.origin.remote : undefined);

/**
 * The one rule for where an object's bytes come from: a remote-marked object's from the bucket unless dist
 * holds exactly them (the build keeps the mark while dist lacks these bytes: a file at its key is another
 * build's); every other object's from dist. `inDist`: dist's file at its key, undefined when there is none.
 */
export function fromBucketOnly(object: DesiredObject, inDist: Buffer | undefined): boolean {
  return remoteOf(object) !== undefined && (inDist === undefined || md5Of(inDist) !== object.md5);
}

/** dist's file at a key (its path proved inside dist), or undefined when there is none; other errors throw. */
export function readDistFile(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? messageOf(error)}`, 'run `gulp build` to rebuild dist/');
  }
}

/**
 * Reads a built object's bytes from dist/; one the remote build cache left in the bucket (marked `remote`,
 * not in dist) from the bucket, through `fromBucket`. Synchronous on purpose: images are small, and async
 * reads measured ~1 ms of main-thread time each (open, fstat, read, close) against ~0.05 ms synchronously.
 */
export function distReader(dist: string, fromBucket?: (object: DesiredObject) => Promise<Buffer>): (object: DesiredObject) => Promise<Buffer> {
  const root = resolve(dist);
  return async (object) => {
    const path = pathUnder(root, object.key);
    const bytes = readDistFile(path);
    if (fromBucket && fromBucketOnly(object, bytes)) return fromBucket(object);
    if (bytes === undefined) throw new ConfigError(`cannot read ${path}: ENOENT`, 'run `gulp build` to rebuild dist/');
    return bytes;
  };
}

/** The build's manifest; `manifestFlag`: the command takes --manifest, so the hint may say so. */
export async function requireManifest(dist: string, file?: string, manifestFlag = false): Promise<ImageManifest> {
  if (file === undefined) return distManifest(dist, manifestFlag);
  return orHint(await readManifest(file), dist, file, manifestFlag);
}

/**
 * dist's manifest: images.json, or the shard builds' manifests read as one (never both: which one is the
 * build would be a guess).
 */
async function distManifest(dist: string, manifestFlag: boolean): Promise<ImageManifest> {
  const file = manifestPath(resolve(dist));
  const whole = await readManifest(file);
  if (whole && hasShardManifests(dist)) {
    throw new ConfigError(`${dist} holds both images.json and shard manifests (images.shard-i-of-n.json): it is not clear which is the build`,
      'publish from a folder that holds one build: remove images.json (a sharded build) or the shard manifests (a whole build)');
  }
  return orHint(whole ?? await readShardManifests(dist) ?? null, dist, file, manifestFlag);
}

function orHint(manifest: ImageManifest | null, dist: string, file: string, manifestFlag: boolean): ImageManifest {
  // True for the command that asked: the build must write where this command reads, and only some commands take --manifest.
  const build = dist === 'dist' ? 'gulp build' : `gulp build --dest ${dist}`;
  if (!manifest) throw new ConfigError(`no image manifest at ${file}`, `run \`${build}\` first${manifestFlag ? ', or name one with --manifest' : ''}`);
  return manifest;
}

/** What a run wants and the matchers it judges keys by (scope from the flags, managedness from the config). */
export interface RunObjects {
  /** The built and published objects in the run. */
  readonly desired: DesiredObject[];
  readonly keys: ManagedKeys;
  /** The flags' scope (--type, --size, --filter, --changed-files): what is listed. */
  readonly inScope: (key: string) => boolean;
  /** In scope and not excluded, ignored or held: what the run plans and its release records. */
  readonly inRun: (key: string) => boolean;
  readonly published: PublishedScan;
}

/**
 * The run's wanted objects: `built` (a manifest's or a release's), plus, given `dist`, the files the
 * config's `publish` globs name there, all narrowed to the run; and the key matchers that go with them.
 */
export async function runObjects(built: readonly DesiredObject[], options: {
  readonly sizes: readonly string[]; readonly scope: ObjectScope; readonly rules: KeyRules; readonly cacheControl: string; readonly dist?: string;
}): Promise<RunObjects> {
  const published = options.dist === undefined ? NOTHING_PUBLISHED
    : await scanPublished(options.dist, options.rules.publish, options.cacheControl, new Set(built.map((o) => o.key)));
  const keys = managedKeys(options.rules, { extraSizes: options.sizes, idle: published.idle });
  const inScope = (key: string) => keyInScope(key, options.scope, options.sizes);
  const inRun = (key: string) => inScope(key) && keys.inRun(key);
  return { desired: [...built, ...published.objects].filter((o) => inRun(o.key)), keys, inScope, inRun, published };
}
