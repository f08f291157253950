/**
 * EXIF orientation fixtures. A canonical, asymmetric picture (four coloured quadrants, landscape) is
 * turned into what a camera would STORE for orientation n, using sharp's plain rotate/flip/flop (not
 * autoOrient, so the test does not check sharp against itself), then tagged with orientation n.
 * A correct build must show the canonical picture again.
 */
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import type { Rgb } from './fixtures';

export const CANONICAL = { width: 320, height: 200 } as const;

/** Colours of the canonical quadrants, far apart so JPEG error cannot confuse them. */
export const QUADRANT: Readonly<Record<'topLeft' | 'topRight' | 'bottomLeft' | 'bottomRight', Rgb>> = {
  topLeft: [220, 30, 30],
  topRight: [30, 170, 30],
  bottomLeft: [30, 40, 220],
  bottomRight: [240, 220, 40],
};

function block(width: number, height: number, [r, g, b]: Rgb): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } }).png().toBuffer();
}

/** The canonical picture as a lossless PNG. */
export async function canonicalPng(): Promise<Buffer> {
  const w = CANONICAL.width / 2;
  const h = CANONICAL.height / 2;
  return sharp({ create: { width: CANONICAL.width, height: CANONICAL.height, channels: 3, background: '#000000' } })
    .composite([
      { input: await block(w, h, QUADRANT.topLeft), left: 0, top: 0 },
      { input: await block(w, h, QUADRANT.topRight), left: w, top: 0 },
      { input: await block(w, h, QUADRANT.bottomLeft), left: 0, top: h },
      { input: await block(w, h, QUADRANT.bottomRight), left: w, top: h },
    ])
    .png().toBuffer();
}

type Step = (image: Sharp) => Sharp;
const rotate = (angle: number): Step => (image) => image.rotate(angle);
const flip: Step = (image) => image.flip();
const flop: Step = (image) => image.flop();

/**
 * Inverse of each orientation's display transform, one primitive per sharp instance (sharp would
 * otherwise apply flip/flop before rotate). 6 displays the stored image turned 90° clockwise, so the
 * stored one is the canonical turned 270°; 5 (transpose) and 7 (transverse) are their own inverses.
 */
export const STORE_STEPS: Readonly<Record<number, readonly Step[]>> = {
  2: [flop],
  3: [rotate(180)],
  4: [flip],
  5: [rotate(90), flop],
  6: [rotate(270)],
  7: [rotate(90), flip],
  8: [rotate(90)],
};

/** The JPEG a camera would store for orientation `n` (2–8), tagged with that orientation. */
export async function orientedJpeg(n: number): Promise<Buffer> {
  const steps = STORE_STEPS[n];
  if (!steps) throw new Error(`orientation ${n} is not 2–8`);
  let stored = await canonicalPng();
  for (const step of steps) stored = await step(sharp(stored)).png().toBuffer();
  return sharp(stored).jpeg({ quality: 95 }).withMetadata({ orientation: n }).toBuffer();
}

/** Where to sample each quadrant in an image of the canonical aspect (centre of each quadrant). */
export function quadrantPoints(width: number, height: number): Record<keyof typeof QUADRANT, [number, number]> {
  return {
    topLeft: [width * 0.25, height * 0.25],
    topRight: [width * 0.75, height * 0.25],
    bottomLeft: [width * 0.25, height * 0.75],
    bottomRight: [width * 0.75, height * 0.75],
  };
}
