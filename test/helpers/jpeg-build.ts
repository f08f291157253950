/**
 * Hand-built JPEG segments and ICC profiles, for what sharp cannot write (comments, IPTC, MPF, JFXX,
 * chunked or out-of-order ICC profiles, EXIF in either byte order, damaged blocks) and for
 * splicing them into a JPEG sharp made.
 */

/** One marker segment: FF, marker, 16-bit length (counting itself), payload. */
export function segment(marker: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

export const commentSegment = (text: string) => segment(0xfe, text);
export const xmpSegment = (xml: string) => segment(0xe1, `http://ns.adobe.com/xap/1.0/\0${xml}`);
export const extendedXmpSegment = () => segment(0xe1, `http://ns.adobe.com/xmp/extension/\0${'0'.repeat(32)}\0\0\0\x10\0\0\0\0<x:xmpmeta/>`);
export const iptcSegment = () => segment(0xed, 'Photoshop 3.0\x008BIM\x04\x04\0\0\0\0\0\x0b\x1c\x02\x78\0\x05hello\0');
export const mpfSegment = () => segment(0xe2, 'MPF\0II*\0\x08\0\0\0\0\0');
export const jfifSegment = () => segment(0xe0, 'JFIF\0\x01\x01\x00\x00\x48\x00\x48\x00\x00');
export const jfxxSegment = () => segment(0xe0, 'JFXX\0\x13\x01\x01\xff\x00\x00');
export const otherAppSegment = (n: number, identifier = 'Ducky') => segment(0xe0 + n, `${identifier}\0payload`);

/** APP2 ICC_PROFILE segments holding `profile` in chunks of at most `chunkSize` bytes, in `order` (default 1, 2, 3…). */
export function iccSegments(profile: Buffer, chunkSize: number, order?: readonly number[]): Buffer[] {
  const count = Math.ceil(profile.length / chunkSize);
  const chunks = Array.from({ length: count }, (_, i) =>
    segment(0xe2, Buffer.concat([Buffer.from('ICC_PROFILE\0', 'latin1'), Buffer.from([i + 1, count]), profile.subarray(i * chunkSize, (i + 1) * chunkSize)])));
  return (order ?? chunks.map((_, i) => i)).map((i) => chunks[i] as Buffer);
}

/**
 * An APP1 Exif segment whose IFD0 holds Make and (unless undefined) Orientation, in either byte order.
 * `ifd0Offset` overrides the header's IFD0 pointer (to make it bogus).
 */
export function exifSegment(orientation: number | undefined, order: 'II' | 'MM', ifd0Offset = 8): Buffer {
  const little = order === 'II';
  const entries: Array<[tag: number, type: number, count: number, value: number]> = [[0x010f, 2, 4, 0x54455354]];
  if (orientation !== undefined) entries.push([0x0112, 3, 1, orientation]);
  const tiff = Buffer.alloc(8 + 2 + entries.length * 12 + 4);
  const u16 = (v: number, at: number) => (little ? tiff.writeUInt16LE(v, at) : tiff.writeUInt16BE(v, at));
  const u32 = (v: number, at: number) => (little ? tiff.writeUInt32LE(v, at) : tiff.writeUInt32BE(v, at));
  tiff.write(order, 0, 'latin1');
  u16(42, 2);
  u32(ifd0Offset, 4);
  u16(entries.length, 8);
  entries.forEach(([tag, type, count, value], i) => {
    const at = 10 + i * 12;
    u16(tag, at);
    u16(type, at + 2);
    u32(count, at + 4);
    if (type === 3) u16(value, at + 8);
    else tiff.writeUInt32BE(value, at + 8); // "TEST" as four ASCII bytes
  });
  return segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]));
}

/** `jpeg` with `segments` right after its SOI. */
export function afterSoi(jpeg: Buffer, segments: readonly Buffer[]): Buffer {
  return Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);
}

/** `jpeg` with `segments` just before its first SOS (after the tables). */
export function beforeScan(jpeg: Buffer, segments: readonly Buffer[]): Buffer {
  const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
  return Buffer.concat([jpeg.subarray(0, sos), ...segments, jpeg.subarray(sos)]);
}

/** `jpeg` with `segments` before its second SOS: between the scans of a progressive JPEG. */
export function betweenScans(jpeg: Buffer, segments: readonly Buffer[]): Buffer {
  const second = jpeg.indexOf(Buffer.from([0xff, 0xda]), jpeg.indexOf(Buffer.from([0xff, 0xda])) + 2);
  if (second < 0) throw new Error('betweenScans needs a progressive JPEG');
  return Buffer.concat([jpeg.subarray(0, second), ...segments, jpeg.subarray(second)]);
}

/** A minimal ICC profile: 128-byte header, a tag table with one `desc` tag (v2 `desc` or v4 `mluc`). */
export function iccProfile(options: { colourSpace?: string; description: string; version?: 2 | 4 }): Buffer {
  const { colourSpace = 'RGB ', description, version = 2 } = options;
  let tag: Buffer;
  if (version === 2) {
    const text = Buffer.from(`${description}\0`, 'latin1');
    tag = Buffer.concat([Buffer.from('desc\0\0\0\0', 'latin1'), u32be(text.length), text, Buffer.alloc(79)]);
  } else {
    const text = Buffer.from(description, 'utf16le').swap16();
    tag = Buffer.concat([Buffer.from('mluc\0\0\0\0', 'latin1'), u32be(1), u32be(12), Buffer.from('enUS', 'latin1'), u32be(text.length), u32be(28), text]);
  }
  const header = Buffer.alloc(128);
  header[8] = version;
  header.write('mntr', 12, 'latin1');
  header.write(colourSpace, 16, 'latin1');
  header.write('XYZ ', 20, 'latin1');
  header.write('acsp', 36, 'latin1');
  const table = Buffer.concat([u32be(1), Buffer.from('desc', 'latin1'), u32be(128 + 16), u32be(tag.length)]);
  const profile = Buffer.concat([header, table, tag]);
  profile.writeUInt32BE(profile.length, 0);
  return profile;
}

function u32be(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}
