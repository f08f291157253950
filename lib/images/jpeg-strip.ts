/**
 * Lossless metadata removal: segments are dropped or copied whole and the entropy-coded data is
 * copied byte for byte, so a decoder sees exactly the same image. No decode, no re-encode.
 */
import { isAppMarker, MARKER, readJpegSegments, type JpegSegment } from './jpeg-segments';

const LABEL_BY_APP: Readonly<Partial<Record<NonNullable<JpegSegment['app']>, string>>> = {
  Exif: 'EXIF',
  XMP: 'XMP',
  ExtendedXMP: 'XMP',
  Photoshop: 'IPTC',
  MPF: 'MPF',
  // A JFXX segment only holds a thumbnail, which may show another picture (the uncropped original).
  JFXX: 'JFXX thumbnail',
};

/** APP kinds a decoder reads to get the colours right: JFIF (YCbCr), the ICC profile, Adobe's transform. */
const KEPT_APPS = new Set<JpegSegment['app']>(['JFIF', 'ICC_PROFILE', 'Adobe']);

/** What stripMetadata drops this segment as ('EXIF', 'comment', 'APP12'…), or undefined when it is kept. */
export function droppedAs(segment: JpegSegment): string | undefined {
  if (segment.marker === MARKER.COM) return 'comment';
  if (!isAppMarker(segment.marker) || KEPT_APPS.has(segment.app)) return undefined;
  return (segment.app && LABEL_BY_APP[segment.app]) ?? `APP${segment.marker - MARKER.APP0}`;
}

/**
 * Entropy-coded data without the fill bytes (FF FF…) that padded it up to the next marker: left in,
 * they would join whatever follows a dropped segment (FF + D9 would be an early EOI).
 */
function withoutFill(data: Buffer): Buffer {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0xff) end -= 1;
  return data.subarray(0, end);
}

const SOI = Buffer.from([0xff, MARKER.SOI]);
const EOI = Buffer.from([0xff, MARKER.EOI]);

/**
 * `jpeg` without EXIF, XMP, IPTC, comments, thumbnails and other APPn, and without anything after
 * its EOI. Keeps JFIF, the ICC profile chunks (as they are: call it only when the profile is one to
 * publish), Adobe APP14 and every table and frame segment, in order. Everything from the first SOS
 * to EOI is copied as is, less any dropped segment between scans; fill bytes go. Throws
 * JpegFormatError when `jpeg` is not a well-formed JPEG.
 */
export function stripMetadata(jpeg: Buffer): Buffer {
  const { segments, scanStart, eoi } = readJpegSegments(jpeg);
  const parts: Buffer[] = [SOI];
  segments.forEach((segment, i) => {
    if (droppedAs(segment) === undefined) parts.push(jpeg.subarray(segment.offset, segment.offset + segment.length));
    if (segment.offset >= scanStart) {
      parts.push(withoutFill(jpeg.subarray(segment.offset + segment.length, segments[i + 1]?.offset ?? eoi)));
    }
  });
  parts.push(EOI);
  return Buffer.concat(parts);
}
