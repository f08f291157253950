import type { OutputFormat } from '../images/config';
import type { SourceType } from '../images/source-path';

export const MANIFEST_FILE = 'images.json';
export const MANIFEST_SCHEMA = 1;

/** One built image: what the React app needs for srcset and what sync and verify compare against. */
export interface ManifestVariant {
  /** Size name: hi-res, medium, small, avatar. */
  readonly size: string;
  readonly format: OutputFormat;
  /** Path under dist and object key in the bucket. */
  readonly key: string;
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
  readonly contentType: string;
  readonly md5: string;
  readonly sha256: string;
  /** Build cache key: hash of source bytes + this variant's recipe + encoder version. */
  readonly cacheKey: string;
  /**
   * `<key>?v=<first 8 hex of md5>`: a URL path (under the public base) that changes with the bytes, for an
   * app that wants a replaced cover at once (the CDN's cache key includes the query). Written with the manifest.
   */
  readonly versioned?: string;
  /** A `source` size (hi-res) in JPEG: published as the source's bytes, stripped of metadata, or re-encoded. */
  readonly passthrough?: 'copy' | 'strip' | 'reencode';
  /**
   * Not in dist: the build took this output from the bucket's release named here (the remote build cache,
   * `gulp build --env`), which holds these very bytes. Whatever needs the bytes (a sync re-uploading it, a
   * repair) fetches them from the bucket or says how to render them. Never part of an archived manifest.
   */
  readonly remote?: string;
}

export interface ManifestSource {
  readonly type: SourceType;
  readonly slug: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Dimensions after EXIF orientation. */
  readonly width: number;
  readonly height: number;
  readonly variants: readonly ManifestVariant[];
}

export interface ImageManifest {
  readonly schema: number;
  readonly encoder: string;
  readonly updatedAt: string;
  /** Keyed by source path relative to the source root (POSIX, NFC). */
  readonly sources: Readonly<Record<string, ManifestSource>>;
}

/** The versioned path of an object: its key (URL-encoded per segment) with `?v=` and the first 8 hex of its MD5. */
export function versionedPath(key: string, md5: string): string {
  return `${key.split('/').map(encodeURIComponent).join('/')}?v=${md5.slice(0, 8)}`;
}

/** Every variant in the manifest, keyed by object key. */
export function variantsByKey(manifest: ImageManifest): Map<string, ManifestVariant> {
  const out = new Map<string, ManifestVariant>();
  for (const source of Object.values(manifest.sources)) {
    for (const variant of source.variants) out.set(variant.key, variant);
  }
  return out;
}
