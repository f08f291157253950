/** Broken sources: each must fail on its own with one clear reason, never stop or stall the build. */
import { deflateSync } from 'node:zlib';
import { photoJpeg } from './fixtures';

/** The first half of a real JPEG: the header parses, the scan data ends early. */
export async function truncatedJpeg(): Promise<Buffer> {
  const whole = await photoJpeg(600, 600);
  return whole.subarray(0, Math.floor(whole.length / 2));
}

export const ZERO_BYTES = Buffer.alloc(0);

/** What a failed download saved as `cover.jpg` looks like. */
export const HTML_PAGE = Buffer.from(
  '<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n',
);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO-HDLC, as PNG uses); Node 20 has no zlib.crc32. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A valid-looking PNG of a few hundred bytes whose IHDR claims width×height 8-bit RGB (a pixel bomb):
 * signature, IHDR with a correct CRC, one tiny IDAT, IEND.
 */
export function pngBomb(width = 60000, height = 60000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, adaptive filter, no interlace
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
