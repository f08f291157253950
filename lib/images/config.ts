import { ConfigError } from '../errors';

export type OutputFormat = 'jpeg' | 'webp' | 'avif';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['jpeg', 'webp', 'avif'];
export type Fit = 'cover' | 'inside';

/** One responsive size, e.g. `medium`: 800×800 cover-cropped. */
export interface SizeSpec {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** `inside` keeps the whole frame (longest side capped); `cover` crops to fill width×height. */
  readonly fit: Fit;
  /** Per-size JPEG overrides (e.g. mozjpeg only where it pays). */
  readonly jpeg?: Partial<JpegOptions>;
}

export interface JpegOptions { quality: number; progressive: boolean; mozjpeg: boolean }
export interface WebpOptions { quality: number; effort: number }
export interface AvifOptions { quality: number; effort: number }

export interface ImageConfig {
  readonly sizes: readonly SizeSpec[];
  /** The first format is the primary one; the others are extra renditions of every size. */
  readonly formats: readonly OutputFormat[];
  readonly jpeg: JpegOptions;
  readonly webp: WebpOptions;
  readonly avif: AvifOptions;
  /** Alpha is flattened onto this colour for JPEG output. */
  readonly background: string;
  /** Sources with more pixels than this are refused before decoding (pixel bombs). */
  readonly maxPixels: number;
  /** Suffix of source file names that is replaced by the size name (`x-hi-res.jpg` → `x-medium.jpg`). */
  readonly sourceSuffix: string;
}

/** russ.fm's defaults. */
export const DEFAULT_IMAGE_CONFIG: ImageConfig = Object.freeze<ImageConfig>({
  sizes: [
    // mozjpeg where it pays (bench/README.md): at equal PSNR it saves 17 % at hi-res and 12 % at medium
    // for the least CPU per KB saved; at small and avatar 8–10 % for the most. Renders are cached, so the
    // CPU is spent once per source, the bytes saved on every view.
    { name: 'hi-res', width: 2000, height: 2000, fit: 'inside', jpeg: { mozjpeg: true } },
    { name: 'medium', width: 800, height: 800, fit: 'cover', jpeg: { mozjpeg: true } },
    { name: 'small', width: 400, height: 400, fit: 'cover' },
    { name: 'avatar', width: 128, height: 128, fit: 'cover' },
  ],
  formats: ['jpeg'],
  jpeg: { quality: 85, progressive: true, mozjpeg: false },
  webp: { quality: 80, effort: 4 },
  avif: { quality: 50, effort: 2 },
  background: '#ffffff',
  maxPixels: 100_000_000,
  sourceSuffix: '-hi-res',
});

export const EXTENSION_OF: Record<OutputFormat, string> = { jpeg: 'jpg', webp: 'webp', avif: 'avif' };
export const CONTENT_TYPE_OF: Record<OutputFormat, string> = {
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  avif: 'image/avif',
};

/** Validates a config and returns it frozen; throws ConfigError naming the bad field. */
export function validateImageConfig(config: ImageConfig): ImageConfig {
  if (config.sizes.length === 0) throw new ConfigError('image config: `sizes` is empty');
  const names = new Set<string>();
  for (const size of config.sizes) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(size.name)) {
      throw new ConfigError(`image config: size name "${size.name}" must be lower-case letters, digits and dashes`);
    }
    if (names.has(size.name)) throw new ConfigError(`image config: size "${size.name}" is defined twice`);
    names.add(size.name);
    for (const dim of ['width', 'height'] as const) {
      if (!Number.isInteger(size[dim]) || size[dim] < 1 || size[dim] > 16383) {
        throw new ConfigError(`image config: size "${size.name}" has ${dim} ${size[dim]}; use a whole number 1–16383`);
      }
    }
  }
  if (config.formats.length === 0) throw new ConfigError('image config: `formats` is empty');
  for (const format of config.formats) {
    if (!OUTPUT_FORMATS.includes(format)) {
      throw new ConfigError(`image config: unknown format "${format}"; use ${OUTPUT_FORMATS.join(', ')}`);
    }
  }
  if (!Number.isFinite(config.maxPixels) || config.maxPixels < 1) {
    throw new ConfigError(`image config: maxPixels ${config.maxPixels} must be a positive number`);
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
