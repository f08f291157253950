/**
 * Named recipes. `russ-fm` (the default) is the site's own contract, exactly as its asset pipeline makes
 * it (docs/build-pipeline/asset-processing.md in russmckendrick/russ-fm): the app builds
 * `<slug>-<size>.jpg` URLs for these sizes and no others. `four-size` is this tool's first recipe.
 */
import type { ImageConfig } from './config';

const SHARED = {
  webp: { quality: 80, effort: 4 },
  avif: { quality: 50, effort: 2 },
  background: '#ffffff',
  maxPixels: 100_000_000,
  sourceSuffix: '-hi-res',
  sourceExtensions: ['jpg', 'jpeg', 'png'],
  formats: ['jpeg'],
} as const;

const RUSS_FM: ImageConfig = Object.freeze<ImageConfig>({
  ...SHARED,
  sizes: [
    // A source that must be re-encoded (a PNG, a rotation, a non-sRGB profile) keeps a high quality: it is the original.
    { name: 'hi-res', fit: 'source', jpeg: { quality: 90 } },
    { name: 'medium', width: 800, height: 800, fit: 'inside' },
    { name: 'avatar', width: 128, height: 128, fit: 'cover' },
  ],
  collections: {
    album: { sizes: ['hi-res', 'medium'] },
    artist: { sizes: ['hi-res', 'medium', 'avatar'] },
  },
  pipeline: 'per-output',
  // sharp's defaults at q85: what the site's `.jpeg({ quality: 85 })` writes.
  jpeg: { quality: 85, progressive: false, mozjpeg: false },
});

const FOUR_SIZE: ImageConfig = Object.freeze<ImageConfig>({
  ...SHARED,
  sizes: [
    // mozjpeg where it pays (bench/README.md): at equal PSNR it saves 17 % at hi-res and 12 % at medium
    // for the least CPU per KB saved; at small and avatar 8–10 % for the most.
    { name: 'hi-res', width: 2000, height: 2000, fit: 'inside', jpeg: { mozjpeg: true } },
    { name: 'medium', width: 800, height: 800, fit: 'cover', jpeg: { mozjpeg: true } },
    { name: 'small', width: 400, height: 400, fit: 'cover' },
    { name: 'avatar', width: 128, height: 128, fit: 'cover' },
  ],
  collections: {
    album: { sizes: ['hi-res', 'medium', 'small', 'avatar'] },
    artist: { sizes: ['hi-res', 'medium', 'small', 'avatar'] },
  },
  pipeline: 'decode-once',
  jpeg: { quality: 85, progressive: true, mozjpeg: false },
});

export const PRESETS = { 'russ-fm': RUSS_FM, 'four-size': FOUR_SIZE } as const;
export type PresetName = keyof typeof PRESETS;

export const DEFAULT_IMAGE_CONFIG: ImageConfig = RUSS_FM;
