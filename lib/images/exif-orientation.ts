/**
 * The EXIF orientation (TIFF tag 0x0112 in IFD0) of an APP1 `Exif` segment, read from the bytes:
 * both byte orders, every offset checked against the block.
 */

const EXIF_HEADER = 6; // "Exif\0\0"
const ORIENTATION_TAG = 0x0112;
const TYPE_SHORT = 3;

export type OrientationReading = { readonly orientation: number } | { readonly problem: string };

/** Orientation 1–8 (1 when the tag is absent), or why it cannot be known. `payload` follows the length field. */
export function exifOrientation(payload: Buffer): OrientationReading {
  const tiff = payload.subarray(EXIF_HEADER);
  const order = tiff.toString('latin1', 0, 2);
  if (tiff.length < 8 || (order !== 'II' && order !== 'MM')) return { problem: 'no TIFF header' };
  const little = order === 'II';
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  if (u16(2) !== 42) return { problem: 'no TIFF header' };
  const ifd0 = u32(4);
  if (ifd0 < 8 || ifd0 + 2 > tiff.length) return { problem: `IFD0 offset ${ifd0} is outside the block` };
  const entries = u16(ifd0);
  if (ifd0 + 2 + entries * 12 > tiff.length) return { problem: 'IFD0 runs past the block' };
  for (let i = 0; i < entries; i += 1) {
    const entry = ifd0 + 2 + i * 12;
    if (u16(entry) !== ORIENTATION_TAG) continue;
    const orientation = u16(entry + 8);
    if (u16(entry + 2) !== TYPE_SHORT || u32(entry + 4) !== 1 || orientation < 1 || orientation > 8) {
      return { problem: 'the orientation tag is not a single value 1–8' };
    }
    return { orientation };
  }
  return { orientation: 1 };
}
