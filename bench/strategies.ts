/**
 * The two hand-written comparison strategies. Both read sources from `<src>/album/<slug>/<slug>-hi-res.jpg`
 * and write `<dest>/album/<slug>/<slug>-<size>.jpg`, like our build.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { isBoxSize, type ImageConfig, type JpegOptions } from '../lib/images/config';
import { mapPool } from '../lib/util/pool';

export interface LoopResult { sources: number; outputs: number; bytesOut: number }

export async function listCovers(src: string): Promise<{ slug: string; path: string }[]> {
  const slugs = (await readdir(join(src, 'album'))).sort();
  return slugs.map((slug) => ({ slug, path: join(src, 'album', slug, `${slug}-hi-res.jpg`) }));
}

interface Raw { data: Buffer; width: number; height: number; channels: 1 | 2 | 3 | 4 }

async function toRaw(pipeline: Sharp): Promise<Raw> {
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

const fromRaw = (raw: Raw): Sharp => sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });

/**
 * (c) The ceiling: `pool` sources in flight; each is decoded ONCE (shrink-on-load to the largest size) to raw
 * pixels, every smaller size is resized from the smallest raw already made, and each is encoded with the
 * same sizes and JPEG settings as `config`. No probe, hashing, manifest, vinyl or gulp.dest.
 */
export async function ceiling(src: string, dest: string, config: ImageConfig, pool: number): Promise<LoopResult> {
  sharp.cache(false); // as our adapter does
  const sizes = config.sizes.filter(isBoxSize).sort((a, b) => b.width * b.height - a.width * a.height);
  const [largest] = sizes;
  if (!largest) throw new Error('config has no sizes');
  const covers = await listCovers(src);
  let outputs = 0;
  let bytesOut = 0;
  await mapPool(covers, pool, async ({ slug, path }) => {
    const input = await readFile(path);
    const frame = await toRaw(sharp(input).rotate()
      .resize(largest.width, largest.height, { fit: largest.fit, withoutEnlargement: true }).toColourspace('srgb'));
    const derived: Raw[] = [frame];
    const encodes: Promise<{ name: string; data: Buffer }>[] = [];
    for (const size of sizes) {
      const parent = derived[derived.length - 1] as Raw;
      if (size !== largest && size.fit === 'cover' && (size.width > frame.width || size.height > frame.height)) continue; // never upscale
      const raw = size === largest || (parent.width === size.width && parent.height === size.height)
        ? parent
        : await toRaw(fromRaw(parent).resize(size.width, size.height, { fit: size.fit, withoutEnlargement: true }));
      if (raw !== parent) derived.push(raw);
      const jpeg: JpegOptions = { ...config.jpeg, ...size.jpeg };
      encodes.push(fromRaw(raw).jpeg(jpeg).toBuffer().then((data) => ({ name: size.name, data })));
    }
    const done = await Promise.all(encodes);
    await mkdir(join(dest, 'album', slug), { recursive: true });
    await Promise.all(done.map(({ name, data }) => writeFile(join(dest, 'album', slug, `${slug}-${name}.jpg`), data)));
    outputs += done.length;
    bytesOut += done.reduce((sum, d) => sum + d.data.length, 0);
  });
  return { sources: covers.length, outputs, bytesOut };
}

/**
 * (d) What russ.fm runs today: one source at a time, one independent pipeline per output (each decodes
 * the source again), each awaited in turn. Without `config`: russ.fm's own three sizes at q85 baseline.
 * With it: the same loop making our recipe's outputs (every size, its JPEG settings), for equal work.
 */
export async function sequential(src: string, dest: string, config?: ImageConfig): Promise<LoopResult> {
  const covers = await listCovers(src);
  const plan = config
    ? config.sizes.filter(isBoxSize).map((s) => ({ name: s.name, width: s.width, height: s.height, fit: s.fit, jpeg: { ...config.jpeg, ...s.jpeg } as JpegOptions }))
    : ([['medium', 800], ['small', 400], ['avatar', 128]] as const).map(([name, w]) => ({ name, width: w, height: w, fit: 'cover' as const, jpeg: { quality: 85 } }));
  let outputs = 0;
  let bytesOut = 0;
  for (const { slug, path } of covers) {
    const buf = await readFile(path);
    await mkdir(join(dest, 'album', slug), { recursive: true });
    for (const { name, width, height, fit, jpeg } of plan) {
      let pipeline = sharp(buf).rotate().resize(width, height, { fit, withoutEnlargement: true });
      if (config) pipeline = pipeline.toColourspace('srgb');
      const data = await pipeline.jpeg(jpeg).toBuffer();
      await writeFile(join(dest, 'album', slug, `${slug}-${name}.jpg`), data);
      outputs += 1;
      bytesOut += data.length;
    }
  }
  return { sources: covers.length, outputs, bytesOut };
}
