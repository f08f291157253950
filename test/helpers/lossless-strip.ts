/**
 * What a lossless strip must guarantee, checked against sharp (an independent decoder) wherever it can:
 * the same pixels, no EXIF/XMP/IPTC/comment left, the same ICC chunks byte for byte, the same scan
 * data, a `copy` verdict, and nothing more to strip.
 */
import { expect } from 'chai';
import sharp from 'sharp';
import { hiResPath } from '../../lib/images/hi-res-path';
import { readJpegSegments, type JpegLayout } from '../../lib/images/jpeg-segments';
import { stripMetadata } from '../../lib/images/jpeg-strip';
import { jpegMarkers, MARKER } from './exif';
import { decode } from './pixels';

function iccChunks(jpeg: Buffer, layout: JpegLayout): Buffer[] {
  return layout.segments.filter((s) => s.app === 'ICC_PROFILE').map((s) => jpeg.subarray(s.offset, s.offset + s.length));
}

/** True when nothing sits between the scans of `layout` but tables and scan headers. */
function scansAreBare(layout: JpegLayout): boolean {
  return layout.segments.every((s) => s.offset <= layout.scanStart || s.marker === 0xc4 || s.marker === 0xda || s.marker === 0xdb || s.marker === 0xdd);
}

/** Checks `stripped = stripMetadata(input)` for `input`, a JPEG whose hi-res path is `strip`. */
export async function expectLosslessStrip(input: Buffer, stripped: Buffer): Promise<void> {
  const [before, after] = [readJpegSegments(input), readJpegSegments(stripped)];
  expect((await decode(stripped)).data.equals((await decode(input)).data), 'the same pixels').to.equal(true);
  expect(hiResPath(stripped)).to.deep.equal({ path: 'copy' });
  expect(stripMetadata(stripped).equals(stripped), 'idempotent').to.equal(true);

  const metadataMarkers = [MARKER.app1ExifOrXmp, MARKER.app13Iptc, 0xfe];
  expect(after.segments.map((s) => s.marker).filter((m) => metadataMarkers.includes(m)), 'no APP1, APP13 or COM').to.deep.equal([]);
  expect(jpegMarkers(stripped).filter((m) => metadataMarkers.includes(m)), 'no APP1, APP13 or COM (test reader)').to.deep.equal([]);
  const [inputMeta, strippedMeta] = [await sharp(input).metadata(), await sharp(stripped).metadata()];
  expect([strippedMeta.exif, strippedMeta.xmp, strippedMeta.iptc], 'sharp sees no EXIF, XMP or IPTC').to.deep.equal([undefined, undefined, undefined]);
  expect(strippedMeta.icc, 'sharp reads the same ICC profile').to.deep.equal(inputMeta.icc);
  expect(iccChunks(stripped, after), 'the same ICC chunks, byte for byte').to.deep.equal(iccChunks(input, before));
  expect(after.trailingBytes).to.equal(0);
  if (scansAreBare(before)) {
    expect(stripped.subarray(after.scanStart).equals(input.subarray(before.scanStart, before.eoi + 2)), 'scan data byte for byte').to.equal(true);
  }
}
