/** Reading decoded pixels back from an output, to assert colours with a JPEG tolerance. */
import sharp from 'sharp';
import type { Rgb } from './fixtures';

export interface Decoded { data: Buffer; width: number; height: number; channels: number }

export async function decode(image: Buffer | string): Promise<Decoded> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** The first three channels (or the grey value three times) at x, y. */
export function pixelAt(image: Decoded, x: number, y: number): Rgb {
  const at = (Math.floor(y) * image.width + Math.floor(x)) * image.channels;
  const r = image.data[at] as number;
  if (image.channels < 3) return [r, r, r];
  return [r, image.data[at + 1] as number, image.data[at + 2] as number];
}

/** Largest per-channel difference. */
export function colourDistance(a: Rgb, b: Rgb): number {
  return Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));
}
