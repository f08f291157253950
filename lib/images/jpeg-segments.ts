/**
 * The marker structure of a JPEG (ITU T.81 Annex B), read from the bytes alone: no decoding.
 * Every step moves forward and every read is bounds-checked, so hostile input ends in a
 * JpegFormatError, never a loop, an out-of-range read or another exception.
 */
import { JpegFormatError } from '../errors';

export { JpegFormatError };

export const MARKER = {
  SOI: 0xd8, EOI: 0xd9, SOS: 0xda, DQT: 0xdb, DRI: 0xdd, COM: 0xfe, TEM: 0x01,
  APP0: 0xe0, APP1: 0xe1, APP2: 0xe2, APP13: 0xed, APP14: 0xee, APP15: 0xef,
} as const;

/** What an APPn segment's identifier says it holds. */
export type AppKind = 'JFIF' | 'JFXX' | 'Exif' | 'XMP' | 'ExtendedXMP' | 'ICC_PROFILE' | 'Adobe' | 'Photoshop' | 'MPF' | 'other';

export interface JpegSegment {
  /** The marker code, the byte after FF: 0xe1 for APP1, 0xda for SOS. */
  readonly marker: number;
  /** Offset of the FF that starts the marker (after any fill bytes). */
  readonly offset: number;
  /** Bytes the segment occupies from `offset`: 2 for a standalone marker, else 2 + its length field. */
  readonly length: number;
  /** For APP0–APP15 only. */
  readonly app?: AppKind;
}

export interface JpegLayout {
  /**
   * Marker segments after SOI in file order: the header up to and including the first SOS, then any
   * found between scans (a progressive JPEG's DHT and SOS; rarely metadata). RSTn inside scans are not listed.
   */
  readonly segments: readonly JpegSegment[];
  /** Offset of the first SOS marker: entropy-coded data starts after its header. */
  readonly scanStart: number;
  /** Offset of the EOI marker that ends the image (the first one at marker level after the scans). */
  readonly eoi: number;
  /** Bytes after EOI: junk, or the images an MPF file appends, each with its own metadata. */
  readonly trailingBytes: number;
}

/** Identifiers by APP marker; each starts the segment's payload (a NUL ends most). */
const APP_IDENTIFIERS: ReadonlyArray<readonly [number, string, AppKind]> = [
  [MARKER.APP0, 'JFIF\0', 'JFIF'],
  [MARKER.APP0, 'JFXX\0', 'JFXX'],
  [MARKER.APP1, 'Exif\0', 'Exif'],
  [MARKER.APP1, 'http://ns.adobe.com/xap/1.0/\0', 'XMP'],
  [MARKER.APP1, 'http://ns.adobe.com/xmp/extension/\0', 'ExtendedXMP'],
  [MARKER.APP2, 'ICC_PROFILE\0', 'ICC_PROFILE'],
  [MARKER.APP2, 'MPF\0', 'MPF'],
  [MARKER.APP13, 'Photoshop 3.0\0', 'Photoshop'],
  [MARKER.APP14, 'Adobe', 'Adobe'],
];

export function isAppMarker(marker: number): boolean {
  return marker >= MARKER.APP0 && marker <= MARKER.APP15;
}

/** RSTn and TEM carry no length field. */
function isStandalone(marker: number): boolean {
  return marker === MARKER.TEM || (marker >= 0xd0 && marker <= 0xd7);
}

/** The bytes after a segment's length field. */
export function segmentPayload(jpeg: Buffer, segment: JpegSegment): Buffer {
  return jpeg.subarray(segment.offset + Math.min(4, segment.length), segment.offset + segment.length);
}

function appKind(jpeg: Buffer, marker: number, payloadStart: number, payloadEnd: number): AppKind {
  for (const [appMarker, identifier, kind] of APP_IDENTIFIERS) {
    if (appMarker !== marker || payloadEnd - payloadStart < identifier.length) continue;
    if (jpeg.toString('latin1', payloadStart, payloadStart + identifier.length) === identifier) return kind;
  }
  return 'other';
}

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}

/** The segment whose FF is at `offset`, with `marker` after it (fill bytes already skipped). */
function segmentAt(jpeg: Buffer, offset: number, marker: number): JpegSegment {
  if (isStandalone(marker)) return { marker, offset, length: 2 };
  if (marker === MARKER.SOI) throw new JpegFormatError(`a second SOI marker at byte ${offset}`);
  if (marker === 0x00) throw new JpegFormatError(`byte ${offset}: FF 00 where a marker was expected`);
  if (offset + 4 > jpeg.length) throw new JpegFormatError(`segment at byte ${offset} runs past the end of the file`);
  const lengthField = jpeg.readUInt16BE(offset + 2);
  if (lengthField < 2) throw new JpegFormatError(`segment ${hex(marker)} at byte ${offset} has length ${lengthField} (at least 2)`);
  const length = 2 + lengthField;
  if (offset + length > jpeg.length) throw new JpegFormatError(`segment at byte ${offset} runs past the end of the file`);
  if (!isAppMarker(marker)) return { marker, offset, length };
  return { marker, offset, length, app: appKind(jpeg, marker, offset + 4, offset + length) };
}

/** Header segments from just after SOI through the first SOS. Fill bytes (FF FF…) before a marker are skipped. */
function readHeader(jpeg: Buffer, segments: JpegSegment[]): number {
  let at = 2;
  for (;;) {
    if (at >= jpeg.length) throw new JpegFormatError(`the file ends at byte ${jpeg.length} before any scan (no SOS marker)`);
    if (jpeg[at] !== 0xff) throw new JpegFormatError(`byte ${at}: expected a marker (FF), found ${hex(jpeg[at] as number)}`);
    let code = at + 1;
    while (code < jpeg.length && jpeg[code] === 0xff) code += 1;
    if (code >= jpeg.length) throw new JpegFormatError(`the file ends at byte ${jpeg.length} before any scan (no SOS marker)`);
    const marker = jpeg[code] as number;
    if (marker === MARKER.EOI) throw new JpegFormatError(`EOI at byte ${code - 1} before any scan (a tables-only JPEG)`);
    const segment = segmentAt(jpeg, code - 1, marker);
    segments.push(segment);
    if (marker === MARKER.SOS) return segment.offset;
    at = segment.offset + segment.length;
  }
}

/**
 * Walks the entropy-coded data after the first SOS to the EOI: FF 00 (a stuffed byte), RSTn and fill
 * bytes belong to the scan; any other marker is a segment between scans. Returns the EOI's offset.
 */
function readScans(jpeg: Buffer, segments: JpegSegment[]): number {
  const firstScan = segments[segments.length - 1] as JpegSegment;
  let at = firstScan.offset + firstScan.length;
  for (;;) {
    const ff = jpeg.indexOf(0xff, at);
    if (ff < 0 || ff + 1 >= jpeg.length) {
      throw new JpegFormatError(`the file ends at byte ${jpeg.length} inside the image data, with no EOI marker (cut off?)`);
    }
    const marker = jpeg[ff + 1] as number;
    if (marker === MARKER.EOI) return ff;
    if (marker === 0x00 || marker === 0xff || (marker >= 0xd0 && marker <= 0xd7)) {
      at = marker === 0xff ? ff + 1 : ff + 2;
      continue;
    }
    const segment = segmentAt(jpeg, ff, marker);
    segments.push(segment);
    at = ff + segment.length;
  }
}

/** The marker layout of `jpeg`, or a JpegFormatError saying where it stops being a JPEG. */
export function readJpegSegments(jpeg: Buffer): JpegLayout {
  if (jpeg.length < 2 || jpeg[0] !== 0xff || jpeg[1] !== MARKER.SOI) throw new JpegFormatError('not a JPEG: no SOI marker');
  const segments: JpegSegment[] = [];
  const scanStart = readHeader(jpeg, segments);
  const eoi = readScans(jpeg, segments);
  return { segments, scanStart, eoi, trailingBytes: jpeg.length - eoi - 2 };
}
