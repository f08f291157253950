import { PRESETS, type PresetName } from '../../lib/images/config';
/**
 * Good source images, generated at test time with sharp (from the real photos, scaled down, or from
 * solid colours). Each generator is memoised: the same arguments give the same bytes without re-encoding.
 */
import sharp from 'sharp';
import { PHOTO } from './paths';

export type Rgb = readonly [number, number, number];

const memo = new Map<string, Promise<Buffer>>();
function once(key: string, make: () => Promise<Buffer>): Promise<Buffer> {
  let hit = memo.get(key);
  if (!hit) {
    hit = make();
    memo.set(key, hit);
  }
  return hit;
}

function hex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** A real photograph cover-cropped to exactly width×height, as a baseline JPEG q90 without metadata. */
export function photoJpeg(width: number, height: number, photo: string = PHOTO.landscape): Promise<Buffer> {
  return once(`photo:${photo}:${width}x${height}`, () =>
    sharp(photo).resize(width, height, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer());
}

/** Same photo and size, but different bytes (a re-encode at another quality): "the source changed". */
export function photoJpegEdited(width: number, height: number, photo: string = PHOTO.landscape): Promise<Buffer> {
  return once(`edited:${photo}:${width}x${height}`, () =>
    sharp(photo).resize(width, height, { fit: 'cover' }).modulate({ brightness: 1.2 }).jpeg({ quality: 80 }).toBuffer());
}

/** A solid-colour image in a given format. */
export function solidImage(width: number, height: number, colour: Rgb, format: 'jpeg' | 'png' = 'jpeg'): Promise<Buffer> {
  return once(`solid:${width}x${height}:${hex(colour)}:${format}`, () => {
    const image = sharp({ create: { width, height, channels: 3, background: hex(colour) } });
    return (format === 'png' ? image.png() : image.jpeg({ quality: 95 })).toBuffer();
  });
}

/** A CMYK JPEG (sharp's built-in CMYK profile) of a solid sRGB colour. */
export function cmykJpeg(width: number, height: number, colour: Rgb): Promise<Buffer> {
  return once(`cmyk:${width}x${height}:${hex(colour)}`, () =>
    sharp({ create: { width, height, channels: 3, background: hex(colour) } })
      .toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer());
}

/** A one-channel greyscale JPEG of a real photo. */
export function greyJpeg(width: number, height: number): Promise<Buffer> {
  return once(`grey:${width}x${height}`, () =>
    sharp(PHOTO.landscape).resize(width, height, { fit: 'cover' }).toColourspace('b-w').jpeg({ quality: 90 }).toBuffer());
}

/** A 16-bit-per-channel RGB PNG of a solid colour. */
export function png16(width: number, height: number, colour: Rgb): Promise<Buffer> {
  return once(`png16:${width}x${height}:${hex(colour)}`, () =>
    sharp({ create: { width, height, channels: 3, background: hex(colour) } }).toColourspace('rgb16').png().toBuffer());
}

/**
 * An RGBA PNG: fully transparent (alpha 0, colour black) except an opaque `colour` square in the
 * middle half. Flattened onto white, the corners must come out white, not black.
 */
export function alphaPng(size: number, colour: Rgb): Promise<Buffer> {
  return once(`alpha:${size}:${hex(colour)}`, async () => {
    const inner = Math.round(size / 2);
    const square = await sharp({ create: { width: inner, height: inner, channels: 4, background: { r: colour[0], g: colour[1], b: colour[2], alpha: 1 } } })
      .png().toBuffer();
    return sharp({ create: { width: size, height: size, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: square, left: Math.round((size - inner) / 2), top: Math.round((size - inner) / 2) }])
      .png().toBuffer();
  });
}

/** Strings planted in the metadata of `privateJpeg`: none may appear in any output. */
export const PRIVATE = {
  make: 'TestCamMake',
  model: 'TestCamModel-X100',
  xmpMarker: 'russfm-private-xmp',
} as const;

/**
 * A photo JPEG carrying EXIF (camera make/model), a GPS IFD (IFD3 in sharp's `withExif`: latitude
 * 51° 30′ N), XMP and an ICC profile. `exifTags` in exif.ts can confirm the GPS pointer is really there.
 */
export function privateJpeg(width: number, height: number): Promise<Buffer> {
  return once(`private:${width}x${height}`, () =>
    sharp(PHOTO.bee).resize(width, height, { fit: 'cover' })
      .withIccProfile('p3')
      .withExif({
        IFD0: { Make: PRIVATE.make, Model: PRIVATE.model },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
      })
      .withXmp(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`
        + `<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="${PRIVATE.xmpMarker}"/></rdf:RDF></x:xmpmeta>`)
      .jpeg({ quality: 90 })
      .toBuffer());
}

/** Three small, different sources (two albums, one artist) most cache tests start from: 3 outputs each. */
export const TRIO = {
  a: { rel: 'album/a/a-hi-res.jpg', make: () => photoJpeg(500, 500, PHOTO.landscape) },
  b: { rel: 'album/b/b-hi-res.jpg', make: () => photoJpeg(500, 500, PHOTO.bee) },
  r: { rel: 'artist/r/r-hi-res.jpg', make: () => photoJpeg(500, 500, PHOTO.bridge) },
} as const;

/** Outputs of each TRIO source under a preset (every size its collection lists), sorted. */
export function trioOutputs(name: keyof typeof TRIO, ext = 'jpg', preset: PresetName = 'russ-fm'): string[] {
  const dir = TRIO[name].rel.replace(/\/[^/]+$/, '');
  const type = dir.startsWith('artist/') ? 'artist' : 'album';
  return [...PRESETS[preset].collections[type].sizes].sort().map((size) => `${dir}/${name}-${size}.${ext}`);
}
