/**
 * Lossless metadata removal, by allow-list: only what a decoder needs to draw the image is kept — the
 * tables, the frame, the scans, JFIF and Adobe's colour transform (rewritten to their bare fields, so no
 * thumbnail or trailing bytes ride along) and the ICC profile chunks. Every other segment goes: EXIF,
 * XMP, IPTC, comments, other APPn, and markers a decoder skips (DNL, JPGn, reserved codes) that could
 * carry anything. The entropy-coded data is copied byte for byte: a decoder sees the same image.
 */
import { isAppMarker, MARKER, readJpegSegments, segmentPayload, type JpegSegment } from './jpeg-segments';

const LABEL_BY_APP: Readonly<Partial<Record<NonNullable<JpegSegment['app']>, string>>> = {
  Exif: 'EXIF',
  XMP: 'XMP',
  ExtendedXMP: 'XMP',
  Photoshop: 'IPTC',
  MPF: 'MPF',
  // A JFXX segment only holds a thumbnail, which may show another picture (the uncropped original).
  JFXX: 'JFXX thumbnail',
};

/** Markers that describe or hold the image: DHT, DAC, DQT, DRI, SOS, RSTn and every SOFn (non-web frames are re-encoded). */
function isDecoding(marker: number): boolean {
  const frameOrTable = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc8; // SOFn, DHT (C4), DAC (CC); not JPG (C8)
  return frameOrTable || marker === MARKER.DQT || marker === MARKER.DRI || marker === MARKER.SOS || (marker >= 0xd0 && marker <= 0xd7);
}

/** JFIF's fields (identifier, version, units, densities) with no thumbnail: 14 bytes. */
const JFIF_FIELDS = 14;
/** Adobe APP14's fields (identifier, version, flags, transform): 12 bytes. */
const ADOBE_FIELDS = 12;

export type SegmentVerdict =
  | { readonly keep: 'whole' }
  /** Kept as its bare fields only; `label` says what was cut off. */
  | { readonly keep: 'canonical'; readonly bytes: Buffer; readonly label: string }
  | { readonly drop: string };

function segmentOf(marker: number, payload: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/** A JFIF or Adobe segment cut to its fields (a JFIF with its thumbnail size set to none), when it has more. */
function canonical(jpeg: Buffer, segment: JpegSegment, fields: number, label: string): SegmentVerdict {
  const payload = segmentPayload(jpeg, segment);
  if (payload.length < fields) return { drop: `a short ${segment.app ?? 'APP'} segment` };
  const thumbless = segment.app === 'JFIF' && (payload[12] !== 0 || payload[13] !== 0);
  if (payload.length === fields && !thumbless) return { keep: 'whole' };
  const bare = Buffer.from(payload.subarray(0, fields));
  if (segment.app === 'JFIF') bare.fill(0, 12, 14);
  return { keep: 'canonical', bytes: segmentOf(segment.marker, bare), label };
}

/** What the strip does with one segment. ICC chunks are kept whole: hi-res-path.ts re-encodes a profile with bytes past its end. */
export function segmentVerdict(jpeg: Buffer, segment: JpegSegment): SegmentVerdict {
  if (isDecoding(segment.marker)) return { keep: 'whole' };
  if (segment.marker === MARKER.COM) return { drop: 'comment' };
  if (!isAppMarker(segment.marker)) return { drop: `marker 0x${segment.marker.toString(16).toUpperCase()}` };
  if (segment.app === 'ICC_PROFILE') return { keep: 'whole' };
  if (segment.app === 'JFIF') return canonical(jpeg, segment, JFIF_FIELDS, 'JFIF thumbnail or extra bytes');
  if (segment.app === 'Adobe') return canonical(jpeg, segment, ADOBE_FIELDS, 'extra bytes in Adobe APP14');
  return { drop: (segment.app && LABEL_BY_APP[segment.app]) ?? `APP${segment.marker - MARKER.APP0}` };
}

/** What stripMetadata removes from this segment ('EXIF', 'comment', 'JFIF thumbnail…'), or undefined when it keeps it whole. */
export function droppedAs(jpeg: Buffer, segment: JpegSegment): string | undefined {
  const verdict = segmentVerdict(jpeg, segment);
  return 'drop' in verdict ? verdict.drop : verdict.keep === 'canonical' ? verdict.label : undefined;
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
 * `jpeg` with only what a decoder needs (segmentVerdict), and nothing after its EOI. Everything from
 * the first SOS to EOI is copied as is, less any dropped segment between scans; fill bytes go. Call it
 * only when the ICC profile (if any) is one to publish. Throws JpegFormatError when `jpeg` is not a
 * well-formed JPEG.
 */
export function stripMetadata(jpeg: Buffer): Buffer {
  const { segments, scanStart, eoi } = readJpegSegments(jpeg);
  const parts: Buffer[] = [SOI];
  segments.forEach((segment, i) => {
    const verdict = segmentVerdict(jpeg, segment);
    if ('keep' in verdict) parts.push(verdict.keep === 'whole' ? jpeg.subarray(segment.offset, segment.offset + segment.length) : verdict.bytes);
    if (segment.offset >= scanStart) {
      parts.push(withoutFill(jpeg.subarray(segment.offset + segment.length, segments[i + 1]?.offset ?? eoi)));
    }
  });
  parts.push(EOI);
  return Buffer.concat(parts);
}
