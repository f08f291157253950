import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { stableHash } from '../util/hash';
import {
  CONTENT_TYPE_OF, EXTENSION_OF, recipeOf, type AvifOptions, type Fit, type ImageConfig, type JpegOptions,
  type OutputFormat, type RenderPipeline, type SizeSpec, type WebpOptions,
} from './config';
import type { SourcePath } from './source-path';

export interface Dimensions { readonly width: number; readonly height: number }

export type EncoderOptions =
  | { readonly format: 'jpeg'; readonly options: JpegOptions }
  | { readonly format: 'webp'; readonly options: WebpOptions }
  | { readonly format: 'avif'; readonly options: AvifOptions };

/** One output image to produce from a source: a size in a format. Everything needed to render it. */
export interface VariantSpec {
  /** Size name, e.g. `medium`. */
  readonly size: string;
  readonly format: OutputFormat;
  /** Output path relative to dist, also the object key: `album/x/x-medium.jpg`. */
  readonly key: string;
  readonly contentType: string;
  /** Planned output size (per-output renders take what sharp makes of the box; see outputDimensions). */
  readonly width: number;
  readonly height: number;
  /** `source`: the source itself (hi-res-path.ts decides copy, strip or re-encode). */
  readonly fit: Fit | 'source';
  /** The size's box as configured (the source's size for a `source` size). */
  readonly box: Dimensions;
  readonly encoder: EncoderOptions;
  readonly pipeline: RenderPipeline;
  /** JPEG only: the colour alpha is flattened onto (other formats keep alpha, so it is not in their recipe). */
  readonly background?: string;
}

/**
 * Output size of a source for a size spec. Never enlarged, always made: `inside` caps the longest side;
 * `cover` fills the box, or — for a source smaller than the box — the largest box of the same shape the
 * source holds (a 300 px cover gets a 300 px square, not an upscaled 800 px one); `source` is the source.
 */
export function outputDimensions(source: Dimensions, size: SizeSpec): Dimensions {
  if (size.fit === 'source') return { width: source.width, height: source.height };
  if (size.fit === 'cover') {
    const shrink = Math.min(1, source.width / size.width, source.height / size.height);
    return { width: Math.max(1, Math.floor(size.width * shrink)), height: Math.max(1, Math.floor(size.height * shrink)) };
  }
  const scale = Math.min(1, size.width / source.width, size.height / source.height);
  return {
    width: Math.max(1, Math.round(source.width * scale)),
    height: Math.max(1, Math.round(source.height * scale)),
  };
}

function encoderFor(format: OutputFormat, size: SizeSpec, config: ImageConfig): EncoderOptions {
  switch (format) {
    case 'jpeg': return { format, options: { ...config.jpeg, ...size.jpeg } };
    case 'webp': return { format, options: config.webp };
    case 'avif': return { format, options: config.avif };
  }
}

/**
 * Every variant a source of the given (oriented) dimensions yields under `config`: each size its
 * collection lists, in each of its formats. Sorted largest first, the order decode-once derives them in.
 */
export function variantsFor(source: SourcePath, dims: Dimensions, config: ImageConfig): VariantSpec[] {
  const variants: VariantSpec[] = [];
  const recipe = recipeOf(config, source.type);
  for (const size of recipe.sizes) {
    const out = outputDimensions(dims, size);
    for (const format of recipe.formats) {
      const name = `${source.base}-${size.name}.${EXTENSION_OF[format]}`;
      variants.push({
        size: size.name,
        format,
        key: source.dir ? posix.join(source.dir, name) : name,
        contentType: CONTENT_TYPE_OF[format],
        width: out.width,
        height: out.height,
        fit: size.fit,
        box: size.fit === 'source' ? out : { width: size.width, height: size.height },
        encoder: encoderFor(format, size, config),
        pipeline: config.pipeline,
        background: format === 'jpeg' ? config.background : undefined,
      });
    }
  }
  return variants.sort((a, b) => b.width * b.height - a.width * a.height);
}

/**
 * The cache key of one variant: changes exactly when its output could change — the source bytes,
 * the variant's geometry and encoder settings, or the encoder itself.
 */
export function variantCacheKey(sourceSha256: string, variant: VariantSpec, encoderVersion: string): string {
  const { key: _key, contentType: _type, ...recipe } = variant;
  // Recipes repeat across thousands of sources: hash each distinct one once (the memo key may depend on
  // property order; the hash itself does not).
  const memoKey = `${encoderVersion}\0${JSON.stringify(recipe)}`;
  let recipeHash = recipeHashes.get(memoKey);
  if (recipeHash === undefined) {
    recipeHash = stableHash({ recipe, encoderVersion });
    recipeHashes.set(memoKey, recipeHash);
  }
  return createHash('sha256').update(`${sourceSha256}:${recipeHash}`).digest('hex').slice(0, 16);
}

const recipeHashes = new Map<string, string>();
