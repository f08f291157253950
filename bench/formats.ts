/**
 * Side table: JPEG cost of mozjpeg vs plain libjpeg-turbo settings at each default size. Every size is
 * derived as our build derives it (one decode, cascade of raw resizes); then each encode runs alone,
 * so process CPU time around it is that encode's cost. PSNR is against the raw pixels that were encoded.
 * Because mozjpeg at the same `quality` uses other quantisation tables (lower PSNR), plain JPEG is also
 * encoded at lower qualities, to give the bytes plain needs for mozjpeg's PSNR (interpolated).
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { JpegOptions, Sharp } from 'sharp';
import { isBoxSize, PRESETS } from '../lib/images/config';
import { listCovers } from './strategies';

interface Stat { cpuMs: number; bytes: number; psnr: number }
export interface FormatRow {
  size: string;
  /** Output dimensions of the first cover. */
  dims: string;
  configMozjpeg: boolean;
  quality: number;
  plain: Stat;
  mozjpeg: Stat;
  /** Average bytes of plain JPEG at mozjpeg's average PSNR (interpolated over qualities); null if out of range. */
  plainBytesAtMozPsnr: number | null;
  covers: number;
}

interface Raw { data: Buffer; width: number; height: number; channels: 1 | 2 | 3 | 4 }
const fromRaw = (r: Raw): Sharp => sharp(r.data, { raw: { width: r.width, height: r.height, channels: r.channels } });

async function toRaw(p: Sharp): Promise<Raw> {
  const { data, info } = await p.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

function psnr(a: Buffer, b: Buffer): number {
  let se = 0;
  for (let i = 0; i < a.length; i += 1) { const d = (a[i] as number) - (b[i] as number); se += d * d; }
  const mse = se / a.length;
  return mse === 0 ? 99 : 10 * Math.log10((255 * 255) / mse);
}

type Acc = { cpuMs: number; bytes: number; psnr: number; n: number };
const zero = (): Acc => ({ cpuMs: 0, bytes: 0, psnr: 0, n: 0 });
const avg = (a: Acc): Stat => ({ cpuMs: a.cpuMs / a.n, bytes: a.bytes / a.n, psnr: a.psnr / a.n });

async function encodeOnce(raw: Raw, options: JpegOptions, into: Acc): Promise<void> {
  const cpu0 = process.cpuUsage();
  const data = await fromRaw(raw).jpeg(options).toBuffer();
  const cpu = process.cpuUsage(cpu0);
  const back = await sharp(data).raw().toBuffer();
  into.cpuMs += (cpu.user + cpu.system) / 1000;
  into.bytes += data.length;
  into.psnr += psnr(raw.data, back);
  into.n += 1;
}

/** Bytes at `target` PSNR on the (psnr, bytes) curve of plain JPEG over qualities, by linear interpolation. */
function bytesAt(curve: Stat[], target: number): number | null {
  const points = [...curve].sort((a, b) => a.psnr - b.psnr);
  for (let i = 1; i < points.length; i += 1) {
    const lo = points[i - 1] as Stat;
    const hi = points[i] as Stat;
    if (target >= lo.psnr && target <= hi.psnr) return lo.bytes + ((target - lo.psnr) / (hi.psnr - lo.psnr || 1)) * (hi.bytes - lo.bytes);
  }
  return null;
}

export async function formatsTable(src: string, count: number): Promise<FormatRow[]> {
  sharp.cache(false);
  const config = PRESETS['four-size'];
  const { quality, progressive } = config.jpeg;
  const lower = [quality - 15, quality - 10, quality - 5].filter((q) => q >= 1);
  const sizes = config.sizes.filter(isBoxSize).sort((a, b) => b.width * b.height - a.width * a.height);
  const largest = sizes[0]!;
  const covers = (await listCovers(src)).slice(0, count);
  const acc = new Map(sizes.map((s) => [s.name, { plain: zero(), mozjpeg: zero(), curve: lower.map(zero), dims: '' }]));
  for (const [c, cover] of covers.entries()) {
    const input = await readFile(cover.path);
    let parent = await toRaw(sharp(input).rotate()
      .resize(largest.width, largest.height, { fit: largest.fit, withoutEnlargement: true }).toColourspace('srgb'));
    for (const size of sizes) {
      const raw = size === largest ? parent : await toRaw(fromRaw(parent).resize(size.width, size.height, { fit: size.fit }));
      parent = raw;
      const slot = acc.get(size.name)!;
      if (!slot.dims) slot.dims = `${raw.width}×${raw.height}`;
      // Alternate which mode goes first, so warm-up or drift does not favour one.
      for (const mozjpeg of c % 2 === 0 ? [false, true] : [true, false]) {
        await encodeOnce(raw, { quality, progressive, mozjpeg }, mozjpeg ? slot.mozjpeg : slot.plain);
      }
      for (const [i, q] of lower.entries()) await encodeOnce(raw, { quality: q, progressive, mozjpeg: false }, slot.curve[i]!);
    }
  }
  return sizes.map((size) => {
    const slot = acc.get(size.name)!;
    const plain = avg(slot.plain);
    const mozjpeg = avg(slot.mozjpeg);
    return {
      size: `${size.name} ${size.width}`, dims: slot.dims, configMozjpeg: { ...config.jpeg, ...size.jpeg }.mozjpeg, quality,
      plain, mozjpeg, plainBytesAtMozPsnr: bytesAt([plain, ...slot.curve.map(avg)], mozjpeg.psnr), covers: covers.length,
    };
  });
}
