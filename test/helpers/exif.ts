/** Just enough EXIF/JPEG parsing to prove metadata is present in a fixture and absent from an output. */

export const TAG = { gpsIfdPointer: 0x8825, make: 0x010f, model: 0x0110, gpsLatitudeRef: 0x0001, gpsLatitude: 0x0002 } as const;

function ifdTags(tiff: Buffer, offset: number, le: boolean): Map<number, { type: number; count: number; value: number }> {
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const tags = new Map<number, { type: number; count: number; value: number }>();
  const count = u16(offset);
  for (let i = 0; i < count; i += 1) {
    const entry = offset + 2 + i * 12;
    tags.set(u16(entry), { type: u16(entry + 2), count: u32(entry + 4), value: u32(entry + 8) });
  }
  return tags;
}

/** Tag ids of IFD0 and of the GPS IFD (empty when there is none) of an EXIF block as sharp returns it. */
export function exifTags(exif: Buffer): { ifd0: Set<number>; gps: Set<number> } {
  const tiff = exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? exif.subarray(6) : exif;
  const order = tiff.subarray(0, 2).toString('latin1');
  if (order !== 'II' && order !== 'MM') throw new Error(`not a TIFF header: ${JSON.stringify(order)}`);
  const le = order === 'II';
  const ifd0 = ifdTags(tiff, le ? tiff.readUInt32LE(4) : tiff.readUInt32BE(4), le);
  const pointer = ifd0.get(TAG.gpsIfdPointer);
  const gps = pointer ? ifdTags(tiff, pointer.value, le) : new Map();
  return { ifd0: new Set(ifd0.keys()), gps: new Set(gps.keys()) };
}

/** Markers of a JPEG's header segments up to the start of scan, e.g. [0xe0, 0xe1, 0xdb, …]. */
export function jpegMarkers(jpeg: Buffer): number[] {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG (no SOI)');
  const markers: number[] = [];
  let at = 2;
  while (at + 4 <= jpeg.length) {
    if (jpeg[at] !== 0xff) throw new Error(`JPEG marker expected at byte ${at}`);
    const marker = jpeg[at + 1] as number;
    markers.push(marker);
    if (marker === 0xda) break; // start of scan: entropy-coded data follows
    at += 2 + jpeg.readUInt16BE(at + 2);
  }
  return markers;
}

export const MARKER = { app1ExifOrXmp: 0xe1, app2Icc: 0xe2, app13Iptc: 0xed } as const;

/** The JPEG with its APP1 segments (EXIF, XMP) cut out, the rest byte for byte: a lossless metadata strip. */
export function withoutApp1(jpeg: Buffer): Buffer {
  const kept: Buffer[] = [jpeg.subarray(0, 2)];
  let at = 2;
  while (at + 4 <= jpeg.length) {
    const marker = jpeg[at + 1] as number;
    if (marker === 0xda) break;
    const end = at + 2 + jpeg.readUInt16BE(at + 2);
    if (marker !== MARKER.app1ExifOrXmp) kept.push(jpeg.subarray(at, end));
    at = end;
  }
  return Buffer.concat([...kept, jpeg.subarray(at)]);
}
