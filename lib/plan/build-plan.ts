/**
 * Pure build planning: which sources are cached, which variants must be rendered, what is carried over
 * untouched and which outputs became stale. No I/O: everything it needs is passed in.
 */
import type { ImageConfig } from '../images/config';
import { parseSourcePath } from '../images/source-path';
import { variantCacheKey, variantsFor } from '../images/variants';
import type { ImageManifest, ManifestSource, ManifestVariant } from '../manifest/types';

export interface SourceCandidate {
  /** Relative path (POSIX, NFC): the manifest key. */
  readonly rel: string;
  /** Absolute path on disk. */
  readonly path: string;
  readonly bytes: number;
  /** Unknown for a source with no previous entry: the renderer hashes the bytes it reads. */
  readonly sha256?: string;
  readonly stat?: import('node:fs').Stats;
}

export interface BuildTask {
  readonly candidate: SourceCandidate;
  /** Render only these keys (a partial rebuild); undefined renders every variant. */
  readonly onlyKeys?: ReadonlySet<string>;
  /** Variants still valid from the previous build, kept as they are. */
  readonly reuse: readonly ManifestVariant[];
}

export interface BuildPlan {
  readonly cached: Readonly<Record<string, ManifestSource>>;
  readonly build: readonly BuildTask[];
  /** Entries outside this run's scope (--type, --filter): kept untouched. */
  readonly carried: Readonly<Record<string, ManifestSource>>;
  /** In scope and in the previous manifest, but no longer among the sources. */
  readonly removedSources: readonly string[];
}

export interface BuildPlanInput {
  readonly candidates: readonly SourceCandidate[];
  readonly previous: ImageManifest | null;
  readonly inScope: (rel: string) => boolean;
  readonly config: ImageConfig;
  readonly encoderVersion: string;
  /** Ignore the cache: render everything. */
  readonly noCache: boolean;
  /** Whether the output file for `key` exists in dist with exactly `bytes` bytes. */
  readonly present: (key: string, bytes: number) => boolean;
}

export function planBuild(input: BuildPlanInput): BuildPlan {
  const previous = input.previous?.sources ?? {};
  const cached: Record<string, ManifestSource> = {};
  const carried: Record<string, ManifestSource> = {};
  const build: BuildTask[] = [];
  const seen = new Set<string>();

  for (const candidate of input.candidates) {
    seen.add(candidate.rel);
    const before = previous[candidate.rel];
    if (!before || candidate.sha256 === undefined || before.sha256 !== candidate.sha256 || input.noCache) {
      build.push({ candidate, reuse: [] });
      continue;
    }
    const source = parseSourcePath(candidate.rel, input.config.sourceSuffix);
    const oldByKey = new Map(before.variants.map((v) => [v.key, v]));
    const reuse: ManifestVariant[] = [];
    const missing = new Set<string>();
    for (const variant of variantsFor(source, before, input.config)) {
      const old = oldByKey.get(variant.key);
      const valid = old !== undefined
        && old.cacheKey === variantCacheKey(before.sha256, variant, input.encoderVersion)
        && input.present(old.key, old.bytes);
      if (valid) reuse.push(old);
      else missing.add(variant.key);
    }
    if (missing.size === 0 && reuse.length === before.variants.length) cached[candidate.rel] = before;
    else if (missing.size === 0) cached[candidate.rel] = { ...before, variants: reuse };
    else build.push({ candidate, onlyKeys: missing, reuse });
  }

  const removedSources: string[] = [];
  for (const [rel, entry] of Object.entries(previous)) {
    if (seen.has(rel)) continue;
    if (input.inScope(rel)) removedSources.push(rel);
    else carried[rel] = entry;
  }
  return { cached, build, carried, removedSources };
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
