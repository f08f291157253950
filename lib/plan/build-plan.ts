/**
 * Pure build planning: which sources are cached, which are restored from the render cache, which variants
 * must be rendered, what is carried over untouched and which outputs became stale. No I/O: everything it
 * needs is passed in.
 */
import type { ImageConfig } from '../images/config';
import type { FileIdentity } from '../images/source-index';
import { parseSourcePath } from '../images/source-path';
import { variantCacheKey, variantsFor } from '../images/variants';
import { local } from '../manifest/remote-marks';
import type { ImageManifest, ManifestSource, ManifestVariant } from '../manifest/types';

export interface SourceCandidate {
  /** Relative path (POSIX, NFC): the manifest key. */
  readonly rel: string;
  /** Absolute path on disk. */
  readonly path: string;
  readonly bytes: number;
  /** Unknown for a source with no previous entry: the renderer hashes the bytes it reads. */
  readonly sha256?: string;
  readonly stat?: FileIdentity;
}

export interface BuildTask {
  readonly candidate: SourceCandidate;
  /** Render only these keys (a partial rebuild); undefined renders every variant. */
  readonly onlyKeys?: ReadonlySet<string>;
  /** Variants still valid from the previous build, kept as they are (in dist, or restored from the render cache). */
  readonly reuse: readonly ManifestVariant[];
}

export interface BuildPlan {
  /** Every output already in dist. */
  readonly cached: Readonly<Record<string, ManifestSource>>;
  /** Nothing to render, but some outputs to put back in dist from the render cache. */
  readonly restored: Readonly<Record<string, ManifestSource>>;
  /** Nothing to render or put back, some outputs left in the bucket (marked `remote`: the remote build cache). */
  readonly remote: Readonly<Record<string, ManifestSource>>;
  /**
   * Outputs to put back from the render cache: every missing output of `restored`, those a `build` task
   * reuses, and those of `carried` entries that dist lacks.
   */
  readonly restore: readonly ManifestVariant[];
  readonly build: readonly BuildTask[];
  /** Entries outside this run's scope (--type, --filter): kept untouched (missing outputs restored when cached). */
  readonly carried: Readonly<Record<string, ManifestSource>>;
  /** In scope and in the previous manifest, but no longer among the sources. */
  readonly removedSources: readonly string[];
}

export interface BuildPlanInput {
  readonly candidates: readonly SourceCandidate[];
  readonly previous: ImageManifest | null;
  /**
   * Another dist's manifest sharing the render cache, for a dist with no record of its own: its entries
   * are reused like previous ones (hash, recipe and render size are all checked), never carried or removed.
   */
  readonly known?: ImageManifest | null;
  /**
   * The bucket's latest release as a manifest (`gulp build --env`), its variants marked `remote`: an entry
   * matching a source's hash, when the previous build's does not, is reused like a previous one; its
   * outputs that neither dist nor the render cache has stay in the bucket, marked.
   */
  readonly remote?: ImageManifest | null;
  readonly inScope: (rel: string) => boolean;
  readonly config: ImageConfig;
  readonly encoderVersion: string;
  /** Ignore the cache: render everything. */
  readonly noCache: boolean;
  /** Whether the output file for `key` exists in dist with exactly `bytes` bytes. */
  readonly present: (key: string, bytes: number) => boolean;
  /** Whether the render cache holds this variant's render with its recorded size; absent: no render cache. */
  readonly inCache?: (variant: ManifestVariant) => boolean;
  /**
   * Whether dist's file at the variant's key has exactly its bytes (SHA-256). Asked only of an output marked
   * remote that `present` found by size: dist may hold another build's file there (the previous entry had
   * another hash), and the size alone would clear the mark over the wrong bytes. Absent: the size is trusted.
   */
  readonly holds?: (variant: ManifestVariant) => boolean;
}

export function planBuild(input: BuildPlanInput): BuildPlan {
  const previous = input.previous?.sources ?? {};
  const cached: Record<string, ManifestSource> = {};
  const restored: Record<string, ManifestSource> = {};
  const remote: Record<string, ManifestSource> = {};
  const restore: ManifestVariant[] = [];
  const carried: Record<string, ManifestSource> = {};
  const build: BuildTask[] = [];
  const seen = new Set<string>();
  const inCache = input.inCache ?? (() => false);

  for (const candidate of input.candidates) {
    seen.add(candidate.rel);
    const before = entryFor(candidate, [previous[candidate.rel], input.known?.sources[candidate.rel], input.remote?.sources[candidate.rel]]);
    if (!before || candidate.sha256 === undefined || before.sha256 !== candidate.sha256 || input.noCache) {
      build.push({ candidate, reuse: [] });
      continue;
    }
    const source = parseSourcePath(candidate.rel, input.config.sourceSuffix);
    const oldByKey = new Map(before.variants.map((v) => [v.key, v]));
    // An earlier entry with the same hash whose outputs are gone from dist and the render cache (a manifest
    // copy outliving its renders): the bucket's release may still hold them, marked.
    const fromRemote = input.remote?.sources[candidate.rel];
    const remoteByKey = fromRemote && fromRemote !== before && fromRemote.sha256 === before.sha256
      ? new Map(fromRemote.variants.filter((v) => v.remote !== undefined).map((v) => [v.key, v])) : undefined;
    const reuse: ManifestVariant[] = [];
    const fromCache: ManifestVariant[] = [];
    const missing = new Set<string>();
    for (const variant of variantsFor(source, before, input.config)) {
      const old = oldByKey.get(variant.key);
      const valid = old !== undefined && old.cacheKey === variantCacheKey(before.sha256, variant, input.encoderVersion);
      if (!valid) missing.add(variant.key);
      else if (input.present(old.key, old.bytes) && (old.remote === undefined || (input.holds?.(old) ?? true))) reuse.push(local(old));
      else if (inCache(old)) { reuse.push(local(old)); fromCache.push(old); }
      else if (old.remote !== undefined) reuse.push(old);
      else {
        const held = remoteByKey?.get(variant.key);
        if (held && held.cacheKey === old.cacheKey) reuse.push(held);
        else missing.add(variant.key);
      }
    }
    restore.push(...fromCache);
    const entry = reuse.length === before.variants.length && reuse.every((v) => before.variants.includes(v)) ? before : { ...before, variants: reuse };
    if (missing.size > 0) build.push({ candidate, onlyKeys: missing, reuse });
    else if (fromCache.length > 0) restored[candidate.rel] = entry;
    else if (reuse.some((v) => v.remote !== undefined)) remote[candidate.rel] = entry;
    else cached[candidate.rel] = entry;
  }

  const removedSources: string[] = [];
  for (const [rel, entry] of Object.entries(previous)) {
    if (seen.has(rel)) continue;
    if (input.inScope(rel)) removedSources.push(rel);
    else {
      carried[rel] = entry;
      // Untouched, but not left missing from dist when the render cache has it (a scoped run after a wipe).
      restore.push(...entry.variants.filter((v) => !input.present(v.key, v.bytes) && inCache(v)));
    }
  }
  return { cached, restored, remote, restore, build, carried, removedSources };
}

/** The first earlier entry with the source's hash (one to reuse), else the first there is (one to replace). */
function entryFor(candidate: SourceCandidate, entries: readonly (ManifestSource | undefined)[]): ManifestSource | undefined {
  return entries.find((e) => e !== undefined && e.sha256 === candidate.sha256) ?? entries.find((e) => e !== undefined);
}

/** Keys listed in `before` that `after` no longer has: the only files a build may delete from dist. */
export function staleKeys(before: ImageManifest | null, after: Readonly<Record<string, ManifestSource>>): string[] {
  if (!before) return [];
  const kept = new Set<string>();
  for (const source of Object.values(after)) for (const v of source.variants) kept.add(v.key);
  const stale: string[] = [];
  for (const source of Object.values(before.sources)) {
    for (const v of source.variants) if (!kept.has(v.key)) stale.push(v.key);
  }
  return stale.sort();
}
