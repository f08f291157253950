/**
 * Accepts gulp-sharp-responsive's options shape (`{ formats: [{ width, format, rename, jpegOptions… }] }`)
 * and turns it into our variant planner, fixing what that plugin gets wrong: widths are computed from the
 * EXIF-oriented size, nothing is upscaled, and `.JPG` or a missing `format` keep the source's format.
 */
import { posix } from 'node:path';
import { UsageError } from '../errors';
import { CONTENT_TYPE_OF, DEFAULT_IMAGE_CONFIG, EXTENSION_OF, OUTPUT_FORMATS, type OutputFormat } from './config';
import type { SourcePath } from './source-path';
import type { Dimensions, VariantSpec } from './variants';

export interface SharpResponsiveFormat {
  width: number | ((metadata: Dimensions) => number);
  /** Our extensions: a height and a fit turn the width-only resize into a box. */
  height?: number;
  fit?: 'cover' | 'inside';
  format?: OutputFormat | 'jpg';
  rename?: { dirname?: string; basename?: string; prefix?: string; suffix?: string; extname?: never };
  jpegOptions?: { quality?: number; progressive?: boolean; mozjpeg?: boolean };
  webpOptions?: { quality?: number; effort?: number };
  avifOptions?: { quality?: number; effort?: number };
}

export interface SharpResponsiveOptions {
  formats: SharpResponsiveFormat[];
  includeOriginalFile?: boolean;
}

export type VariantPlanner = (source: SourcePath, dims: Dimensions) => VariantSpec[];

function formatOf(entry: SharpResponsiveFormat, sourceExt: string): OutputFormat {
  const wanted = (entry.format ?? sourceExt.replace(/^\./, '')).toLowerCase();
  const format = wanted === 'jpg' ? 'jpeg' : wanted;
  if (!OUTPUT_FORMATS.includes(format as OutputFormat)) {
    throw new UsageError(`sharp-responsive option: format "${wanted}" is not supported; use ${OUTPUT_FORMATS.join(', ')}`);
  }
  return format as OutputFormat;
}

/** Validates the options now (bad arguments fail at construction) and returns a planner. */
export function plannerFromSharpResponsive(options: SharpResponsiveOptions): VariantPlanner {
  if (!options || !Array.isArray(options.formats) || options.formats.length === 0) {
    throw new UsageError('sharp-responsive options need a non-empty `formats` array');
  }
  for (const entry of options.formats) {
    if (entry.rename && 'extname' in entry.rename) {
      throw new UsageError('sharp-responsive option: `rename.extname` is not allowed; set `format` instead');
    }
    if (typeof entry.width !== 'function' && !(Number.isInteger(entry.width) && entry.width > 0)) {
      throw new UsageError(`sharp-responsive option: width ${String(entry.width)} must be a positive whole number or a function`);
    }
  }
  const defaults = DEFAULT_IMAGE_CONFIG;
  return (source, dims) => options.formats.flatMap((entry): VariantSpec[] => {
    const width = typeof entry.width === 'function' ? Math.round(entry.width(dims)) : entry.width;
    const fit = entry.fit ?? 'inside';
    const height = entry.height ?? (fit === 'cover' ? width : Math.round((dims.height * width) / dims.width));
    if (width > dims.width || height > dims.height) return []; // never upscale
    const format = formatOf(entry, posix.extname(source.rel));
    const rename = entry.rename ?? {};
    const stem = `${rename.prefix ?? ''}${rename.basename ?? posix.basename(source.rel, posix.extname(source.rel))}${rename.suffix ?? ''}`;
    const dir = rename.dirname ?? source.dir;
    const name = `${stem}.${EXTENSION_OF[format]}`;
    const encoder = format === 'jpeg'
      ? { format, options: { ...defaults.jpeg, ...entry.jpegOptions } } as const
      : format === 'webp'
        ? { format, options: { ...defaults.webp, ...entry.webpOptions } } as const
        : { format, options: { ...defaults.avif, ...entry.avifOptions } } as const;
    return [{
      size: `${width}w`, format, key: dir ? posix.join(dir, name) : name, contentType: CONTENT_TYPE_OF[format],
      width, height, fit, box: { width, height }, encoder, pipeline: 'decode-once', background: format === 'jpeg' ? defaults.background : undefined,
    }];
  }).sort((a, b) => b.width * b.height - a.width * a.height);
}
