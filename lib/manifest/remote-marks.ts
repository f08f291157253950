/**
 * The remote build cache's marks on a manifest (pure). A variant marked `remote` is not in dist: the
 * bucket's release named by the mark holds its bytes. The marks describe one dist, never the collection,
 * so an archived manifest never carries them (it reads the same whether its outputs came from the bucket).
 */
import type { Release } from '../releases/release';
import type { ImageManifest, ManifestSource, ManifestVariant } from './types';

/**
 * The release's manifest as a build's previous state: each variant the release holds with the same bytes
 * (MD5, SHA-256, size) marked as coming from it. One it does not hold (a scoped sync left it unsent, a
 * later repair or restore changed it) stays unmarked: in scope the build renders it (it is in neither
 * dist nor the render cache); out of scope it is carried as it is, so a sync that needs its bytes fails
 * naming it, and never takes it for an output the build dropped (which `--delete` would delete).
 */
export function markRemote(manifest: ImageManifest, release: Pick<Release, 'id' | 'objects'>): ImageManifest {
  const sources: Record<string, ManifestSource> = {};
  for (const [rel, source] of Object.entries(manifest.sources)) {
    const variants = source.variants.map((v): ManifestVariant => {
      const held = release.objects[v.key];
      return held && held.md5 === v.md5 && held.sha256 === v.sha256 && held.size === v.bytes ? { ...v, remote: release.id } : v;
    });
    sources[rel] = { ...source, variants };
  }
  return { ...manifest, sources };
}

/** The variant as it is once its bytes are in dist. */
export function local(variant: ManifestVariant): ManifestVariant {
  if (variant.remote === undefined) return variant;
  const { remote: _remote, ...rest } = variant;
  return rest;
}

/** The manifest without remote marks: what a release archives. */
export function withoutRemoteMarks(manifest: ImageManifest): ImageManifest {
  const marked = Object.values(manifest.sources).some((s) => s.variants.some((v) => v.remote !== undefined));
  if (!marked) return manifest;
  const sources = Object.fromEntries(Object.entries(manifest.sources).map(([rel, s]) => [rel, { ...s, variants: s.variants.map(local) }]));
  return { ...manifest, sources };
}

/** How many outputs of the manifest are marked remote. */
export function remoteOutputs(sources: Readonly<Record<string, ManifestSource>>): number {
  let n = 0;
  for (const source of Object.values(sources)) for (const v of source.variants) if (v.remote !== undefined) n += 1;
  return n;
}
