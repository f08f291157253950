import { ConfigError } from '../errors';

export type OutputFormat = 'jpeg' | 'webp' | 'avif';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['jpeg', 'webp', 'avif'];
export type Fit = 'cover' | 'inside';
export type CollectionType = 'album' | 'artist';
export const COLLECTION_TYPES: readonly CollectionType[] = ['album', 'artist'];

/** A size made by resizing, e.g. `medium`: 800×800 `inside`, never enlarged. */
export interface BoxSize {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** `inside` keeps the whole frame (longest side capped); `cover` crops to fill width×height. */
  readonly fit: Fit;
  /** Per-size JPEG overrides (e.g. mozjpeg only where it pays). */
  readonly jpeg?: Partial<JpegOptions>;
}

/**
 * The source itself (russ.fm's `hi-res`): published byte for byte when it needs nothing, stripped of its
 * metadata losslessly when it carries some, re-encoded (with `jpeg`) only when it must be (hi-res-path.ts).
 */
export interface SourceSize {
  readonly name: string;
  readonly fit: 'source';
  readonly jpeg?: Partial<JpegOptions>;
}

export type SizeSpec = BoxSize | SourceSize;

export const isBoxSize = (size: SizeSpec): size is BoxSize => size.fit !== 'source';

export interface JpegOptions { quality: number; progressive: boolean; mozjpeg: boolean }
export interface WebpOptions { quality: number; effort: number }
export interface AvifOptions { quality: number; effort: number }

/** Which sizes a collection has, and in which formats (default: the config's `formats`). */
export interface CollectionRecipe {
  readonly sizes: readonly string[];
  readonly formats?: readonly OutputFormat[];
}

/**
 * How variants are rendered. `per-output`: each output is its own sharp pipeline from the source bytes,
 * exactly what `sharp(src).resize(…).jpeg(…)` makes — so a bucket filled by such a loop is adopted
 * without re-uploading a byte. `decode-once`: the source is decoded once and every size derived from the
 * raw pixels, which pays when several large sizes are re-encoded (the four-size preset).
 */
export type RenderPipeline = 'per-output' | 'decode-once';

export interface ImageConfig {
  /** Every size a collection may name. */
  readonly sizes: readonly SizeSpec[];
  readonly collections: Readonly<Record<CollectionType, CollectionRecipe>>;
  /** Formats of a collection that names none; the first is the primary one. */
  readonly formats: readonly OutputFormat[];
  readonly pipeline: RenderPipeline;
  readonly jpeg: JpegOptions;
  readonly webp: WebpOptions;
  readonly avif: AvifOptions;
  /** Alpha is flattened onto this colour for JPEG output. */
  readonly background: string;
  /** Sources with more pixels than this are refused before decoding (pixel bombs). */
  readonly maxPixels: number;
  /** Sources are `<type>/<slug>/<slug><sourceSuffix>.<ext>`; outputs replace the suffix with `-<size>`. */
  readonly sourceSuffix: string;
  /** Source extensions, lower case, without the dot. */
  readonly sourceExtensions: readonly string[];
}

export const EXTENSION_OF: Record<OutputFormat, string> = { jpeg: 'jpg', webp: 'webp', avif: 'avif' };
export const CONTENT_TYPE_OF: Record<OutputFormat, string> = {
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  avif: 'image/avif',
};

/** The recipe of a source's collection; a file outside album/ and artist/ (the plugin used on its own) gets the album's. */
export function recipeOf(config: ImageConfig, type: CollectionType | 'other'): { sizes: SizeSpec[]; formats: readonly OutputFormat[] } {
  const recipe = config.collections[type === 'other' ? 'album' : type];
  const sizes = recipe.sizes.map((name) => config.sizes.find((s) => s.name === name)).filter((s): s is SizeSpec => s !== undefined);
  return { sizes, formats: recipe.formats ?? config.formats };
}

/** The config with every collection made in `formats` (the --formats flag). */
export function withFormats(config: ImageConfig, formats: readonly OutputFormat[]): ImageConfig {
  const collections = Object.fromEntries(COLLECTION_TYPES.map((t) => [t, { ...config.collections[t], formats }])) as Record<CollectionType, CollectionRecipe>;
  return { ...config, formats, collections };
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;

function checkSize(size: SizeSpec): void {
  if (!NAME.test(size.name)) {
    throw new ConfigError(`image config: size name "${size.name}" must be lower-case letters, digits and dashes`);
  }
  if (size.fit === 'source') return;
  if (size.fit !== 'cover' && size.fit !== 'inside') {
    throw new ConfigError(`image config: size "${size.name}" has fit "${String(size.fit)}"; use cover, inside or source`);
  }
  for (const dim of ['width', 'height'] as const) {
    if (!Number.isInteger(size[dim]) || size[dim] < 1 || size[dim] > 16383) {
      throw new ConfigError(`image config: size "${size.name}" has ${dim} ${size[dim]}; use a whole number 1–16383`);
    }
  }
}

function checkFormats(formats: readonly OutputFormat[], where: string): void {
  if (formats.length === 0) throw new ConfigError(`image config: ${where} is empty`);
  for (const format of formats) {
    if (!OUTPUT_FORMATS.includes(format)) {
      throw new ConfigError(`image config: unknown format "${format}" in ${where}; use ${OUTPUT_FORMATS.join(', ')}`);
    }
  }
}

/** Validates a config and returns it frozen; throws ConfigError naming the bad field. */
export function validateImageConfig(config: ImageConfig): ImageConfig {
  if (config.sizes.length === 0) throw new ConfigError('image config: `sizes` is empty');
  const names = new Set<string>();
  for (const size of config.sizes) {
    checkSize(size);
    if (names.has(size.name)) throw new ConfigError(`image config: size "${size.name}" is defined twice`);
    names.add(size.name);
  }
  checkFormats(config.formats, '`formats`');
  for (const type of COLLECTION_TYPES) {
    const recipe = config.collections[type];
    if (!recipe || recipe.sizes.length === 0) throw new ConfigError(`image config: collection "${type}" has no sizes`);
    for (const name of recipe.sizes) {
      if (!names.has(name)) throw new ConfigError(`image config: collection "${type}" names size "${name}", which \`sizes\` does not define`);
    }
    if (recipe.formats) checkFormats(recipe.formats, `collection "${type}" formats`);
  }
  if (config.pipeline !== 'per-output' && config.pipeline !== 'decode-once') {
    throw new ConfigError(`image config: pipeline "${String(config.pipeline)}" is neither per-output nor decode-once`);
  }
  if (!Number.isFinite(config.maxPixels) || config.maxPixels < 1) {
    throw new ConfigError(`image config: maxPixels ${config.maxPixels} must be a positive number`);
  }
  if (!NAME.test(config.sourceSuffix.replace(/^-/, ''))) {
    throw new ConfigError(`image config: source suffix "${config.sourceSuffix}" must be a dash and lower-case letters, digits and dashes`);
  }
  return Object.freeze({ ...config });
}

/**
 * The most bytes a source may have: 8 bytes a pixel (16-bit RGBA, uncompressed: the largest a real image
 * within `maxPixels` can be stored as) plus 16 MB for metadata and embedded previews. A larger file cannot
 * be an image we would decode, so it is refused by its size before a byte of it is read (a symlink to a
 * 1.5 GB file used to be read into memory first).
 */
export function maxSourceBytes(config: Pick<ImageConfig, 'maxPixels'>): number {
  return config.maxPixels * 8 + 16_000_000;
}

export { DEFAULT_IMAGE_CONFIG, PRESETS, type PresetName } from './presets';
