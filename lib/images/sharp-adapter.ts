/**
 * sharp, for the decode-once pipeline: decodes a source once, derives every size from raw pixels
 * (largest first, each from the smallest compatible larger one) and encodes each variant. Also the
 * header probe and the decode-error wording every pipeline shares. Only lib/images/sharp-*.ts import sharp.
 */
import sharp from 'sharp';
import type { OutputInfo, Sharp } from 'sharp';
import type { Dimensions, VariantSpec } from './variants';

// Every source is a different image: libvips' operation cache only costs memory here.
sharp.cache(false);

/** Names the encoder in cache keys: a different sharp/libvips may encode different bytes. */
export const ENCODER_VERSION = `sharp ${sharp.versions.sharp} libvips ${sharp.versions.vips}`;

export interface SourceInfo extends Dimensions {
  /** Decoder format as sharp names it (jpeg, png, webp…). */
  readonly format: string;
  readonly pixels: number;
  /** EXIF orientation (1 when none): anything else is rotated on render. */
  readonly orientation: number;
  readonly hasAlpha: boolean;
}

/** How a `source` size was published: as is, stripped of metadata losslessly, or re-encoded (and why). */
export type Passthrough = { readonly path: 'copy' | 'strip' } | { readonly path: 'reencode'; readonly reason: string };

export interface RenderedVariant {
  readonly variant: VariantSpec;
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
  readonly passthrough?: Passthrough;
}

interface RawImage {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 2 | 3 | 4;
  /** `frame`: the whole picture; `crop`: a cover crop with this aspect ratio. */
  readonly kind: 'frame' | 'crop';
}

/** Reads only the header: format and the dimensions after EXIF orientation. */
export async function probe(input: Buffer): Promise<SourceInfo> {
  // Header only: our maxPixels check (with the real dimensions in its message) does the refusing.
  const meta = await sharp(input, { limitInputPixels: false }).metadata();
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) throw new Error('no image dimensions in the file header');
  return {
    width, height, format: meta.format ?? 'unknown', pixels: width * height, orientation: meta.orientation ?? 1, hasAlpha: meta.hasAlpha === true,
  };
}

/** Scale of the full frame a variant needs: the whole frame for `inside`, the covering scale for `cover`. */
function frameScale(source: Dimensions, v: VariantSpec): number {
  return v.fit === 'cover'
    ? Math.max(v.width / source.width, v.height / source.height)
    : Math.min(v.width / source.width, v.height / source.height);
}

async function toRaw(pipeline: Sharp, kind: RawImage['kind']): Promise<RawImage> {
  const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels, kind };
}

function fromRaw(raw: RawImage): Sharp {
  return sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
}

/** The smallest already-derived image this variant can be resized from without quality loss. */
function parentFor(v: VariantSpec, derived: RawImage[], neededScale: number, sourceWidth: number): RawImage {
  const fits = derived.filter((raw) =>
    raw.kind === 'frame'
      ? raw.width / sourceWidth + 1e-9 >= neededScale
      : v.fit === 'cover' && raw.width * v.height === raw.height * v.width && raw.width >= v.width);
  fits.sort((a, b) => a.width * a.height - b.width * b.height);
  return fits[0] ?? (derived[0] as RawImage);
}

function encode(raw: RawImage, v: VariantSpec): Promise<{ data: Buffer; info: OutputInfo }> {
  const pipeline = fromRaw(raw);
  return encodeAs(v.encoder.format === 'jpeg' ? pipeline.flatten({ background: v.background ?? '#ffffff' }) : pipeline, v);
}

/** Adds the variant's encoder to a pipeline and runs it. JPEG callers flatten alpha first (only where there is some). */
export function encodeAs(input: Sharp, v: VariantSpec): Promise<{ data: Buffer; info: OutputInfo }> {
  let pipeline = input;
  switch (v.encoder.format) {
    case 'jpeg':
      pipeline = pipeline.jpeg(v.encoder.options);
      break;
    case 'webp':
      pipeline = pipeline.webp(v.encoder.options);
      break;
    case 'avif':
      pipeline = pipeline.avif(v.encoder.options);
      break;
  }
  return pipeline.toBuffer({ resolveWithObject: true });
}

/**
 * Renders `variants` (largest first) from one decode of `input`. Orientation is applied from EXIF,
 * colour converted to 8-bit sRGB, and no metadata (EXIF, GPS, XMP, ICC) is written to any output.
 */
export async function renderDecodeOnce(
  input: Buffer,
  info: SourceInfo,
  variants: readonly VariantSpec[],
  maxPixels: number,
): Promise<RenderedVariant[]> {
  if (variants.length === 0) return [];
  const scale = Math.min(1, Math.max(...variants.map((v) => frameScale(info, v))));
  let decode = sharp(input, { limitInputPixels: maxPixels, failOn: 'error' }).autoOrient();
  if (scale < 1) {
    decode = decode.resize(Math.round(info.width * scale), Math.round(info.height * scale), { fit: 'fill' });
  }
  const frame = await toRaw(decode.toColourspace('srgb'), 'frame');
  const derived: RawImage[] = [frame];
  const encodes: Promise<RenderedVariant>[] = [];
  for (const v of variants) {
    const parent = parentFor(v, derived, frameScale(info, v), info.width);
    const raw = parent.width === v.width && parent.height === v.height
      ? parent
      : await toRaw(fromRaw(parent).resize(v.width, v.height, { fit: v.fit === 'cover' ? 'cover' : 'inside' }), v.fit === 'cover' ? 'crop' : 'frame');
    if (raw !== parent) derived.push(raw);
    encodes.push(encode(raw, v).then(({ data, info: out }) => ({ variant: v, data, width: out.width, height: out.height })));
  }
  return Promise.all(encodes);
}

/** The source decoded, rotated upright only when its EXIF says so (the site's loop makes no such call: an upright source must render as it does). */
export function decodeSource(input: Buffer, info: SourceInfo, maxPixels: number): Sharp {
  const pipeline = sharp(input, { limitInputPixels: maxPixels, failOn: 'error' });
  return info.orientation === 1 ? pipeline : pipeline.autoOrient();
}

/** Adds what every output needs before encoding: alpha flattened for JPEG (only where there is alpha). */
export function finish(pipeline: Sharp, info: SourceInfo, v: VariantSpec): Promise<{ data: Buffer; info: { width: number; height: number } }> {
  const flat = v.encoder.format === 'jpeg' && info.hasAlpha ? pipeline.flatten({ background: v.background ?? '#ffffff' }) : pipeline;
  return encodeAs(flat, v);
}

/** A JPEG without its EOI marker or a PNG without its IEND chunk: the file was cut off. */
function isCutOff(input: Buffer): boolean {
  const jpeg = input[0] === 0xff && input[1] === 0xd8;
  if (jpeg) return input.lastIndexOf(Buffer.from([0xff, 0xd9])) < input.length - 16;
  const png = input.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return png && !input.subarray(-12).includes(Buffer.from('IEND'));
}

/** A one-line reason for a sharp/libvips failure, in the user's terms. */
export function describeDecodeError(error: unknown, input: Buffer, maxPixels: number): string {
  const message = error instanceof Error ? error.message : String(error);
  if (input.length === 0 || /Buffer is empty/i.test(message)) return 'empty file (0 bytes)';
  if (/unsupported image format/i.test(message)) {
    const head = input.subarray(0, 256).toString('latin1').trimStart().toLowerCase();
    if (head.startsWith('<!doctype html') || head.startsWith('<html') || head.includes('<head')) {
      return 'not an image: the file is an HTML page (a failed download saved with an image name?)';
    }
    return 'not an image: the file is not in any format sharp can read';
  }
  if (/pixel limit/i.test(message)) return `refused: more than ${maxPixels.toLocaleString('en')} pixels (pixel bomb?)`;
  if (/premature end|truncated|corrupt/i.test(message)) {
    return `truncated or corrupt image data (${message.split('\n')[0]})`;
  }
  // libvips sometimes loses a worker thread's message ("Unknown error"): the bytes still tell a cut-off file.
  if (isCutOff(input)) return `truncated or corrupt image data (the file ends before its end marker; ${message.split('\n')[0]})`;
  return `cannot decode: ${message.split('\n')[0]}`;
}

/** Most pixels a thumbnail's input may decode: a bucket object is untrusted, and a contact sheet never needs more. */
const THUMBNAIL_MAX_PIXELS = 100_000_000;

/**
 * A small upright JPEG (q70, fit inside size×size, never enlarged) of an image, as a `data:` URI for the
 * report's contact sheet. Rejects on bytes that are not an image.
 */
export async function thumbnailDataUri(bytes: Buffer, size = 160): Promise<string> {
  const jpeg = await sharp(bytes, { limitInputPixels: THUMBNAIL_MAX_PIXELS, failOn: 'error' })
    .autoOrient()
    .resize(size, size, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .jpeg({ quality: 70 })
    .toBuffer();
  return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
}
