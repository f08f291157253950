/**
 * The russ-fm recipe benchmark's hand-written strategies (bench/recipe-bench.ts). Sources are
 * `<src>/<album|artist>/<slug>/<slug>-hi-res.jpg`; outputs `<dest>/<type>/<slug>/<slug>-<size>.jpg`:
 * hi-res (the source, copied), medium (800×800 inside, never enlarged, q85) and, for artists, avatar
 * (128×128 cover, q85): the outputs our build makes with DEFAULT_IMAGE_CONFIG.
 */
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { mapPool } from '../lib/util/pool';

export type SourceType = 'album' | 'artist';
export interface RecipeSource { type: SourceType; slug: string; path: string }
export interface RecipeLoopResult { sources: number; outputs: number; bytesOut: number }

export async function listRecipeSources(src: string): Promise<RecipeSource[]> {
  const out: RecipeSource[] = [];
  for (const type of ['album', 'artist'] as const) {
    const slugs = await readdir(join(src, type)).catch(() => [] as string[]);
    for (const slug of slugs.sort()) out.push({ type, slug, path: join(src, type, slug, `${slug}-hi-res.jpg`) });
  }
  return out;
}

const outPath = (dest: string, s: RecipeSource, size: string): string => join(dest, s.type, s.slug, `${s.slug}-${size}.jpg`);

/**
 * russ.fm's own loop (scripts/process-images.js as the brief describes it): batches of 10 sources with
 * `Promise.all`; per source one independent sharp pipeline per output (each decodes the file again), the
 * hi-res copied with fs.copyFile. sharp's defaults (its operation cache on), as the site runs.
 */
export async function siteLoop(src: string, dest: string, batch = 10): Promise<RecipeLoopResult> {
  const sources = await listRecipeSources(src);
  let outputs = 0;
  for (let i = 0; i < sources.length; i += batch) {
    await Promise.all(sources.slice(i, i + batch).map(async (s) => {
      await mkdir(join(dest, s.type, s.slug), { recursive: true });
      const jobs: Promise<unknown>[] = [
        copyFile(s.path, outPath(dest, s, 'hi-res')),
        sharp(s.path).resize(800, 800, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 85 }).toFile(outPath(dest, s, 'medium')),
      ];
      if (s.type === 'artist') {
        jobs.push(sharp(s.path).resize(128, 128, { fit: 'cover' }).jpeg({ quality: 85 }).toFile(outPath(dest, s, 'avatar')));
      }
      await Promise.all(jobs);
      outputs += jobs.length;
    }));
  }
  return { sources: sources.length, outputs, bytesOut: 0 };
}

interface Raw { data: Buffer; width: number; height: number; channels: 1 | 2 | 3 | 4 }
async function toRaw(p: Sharp): Promise<Raw> {
  const { data, info } = await p.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}
const fromRaw = (r: Raw): Sharp => sharp(r.data, { raw: { width: r.width, height: r.height, channels: r.channels } });

/**
 * The decode-once ceiling: `pool` sources in flight; each read once, decoded once with shrink-on-load to
 * 800×800 inside (the largest size needed), medium encoded from those pixels, the artist avatar resized
 * from the same raw pixels (cover 128), hi-res copied. No probe, hashing, manifest, vinyl or temp files.
 */
export async function recipeCeiling(src: string, dest: string, pool: number): Promise<RecipeLoopResult> {
  sharp.cache(false);
  const sources = await listRecipeSources(src);
  let outputs = 0;
  let bytesOut = 0;
  await mapPool(sources, pool, async (s) => {
    const input = await readFile(s.path);
    const frame = await toRaw(sharp(input).resize(800, 800, { fit: 'inside', withoutEnlargement: true }));
    const encodes: Promise<[string, Buffer]>[] = [fromRaw(frame).jpeg({ quality: 85 }).toBuffer().then((b) => ['medium', b])];
    if (s.type === 'artist') encodes.push(fromRaw(frame).resize(128, 128, { fit: 'cover' }).jpeg({ quality: 85 }).toBuffer().then((b) => ['avatar', b]));
    await mkdir(join(dest, s.type, s.slug), { recursive: true });
    const copied = copyFile(s.path, outPath(dest, s, 'hi-res'));
    const done = await Promise.all(encodes);
    await Promise.all([copied, ...done.map(([size, data]) => writeFile(outPath(dest, s, size), data))]);
    outputs += done.length + 1;
    bytesOut += done.reduce((n, [, d]) => n + d.length, input.length);
  });
  return { sources: sources.length, outputs, bytesOut };
}
