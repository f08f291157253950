/**
 * The benchmark corpus: distinct square album covers at `<dir>/album/<slug>/<slug>-hi-res.jpg` (q90),
 * cut from photographs (varying crop size, position and output size per album) or synthetic when there
 * are no photographs. Cached under bench/.corpus/, keyed by count, size range and the photo set.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import { mapPool } from '../lib/util/pool';
import { CORPUS_ROOT } from './args';

const GENERATOR = 'v1';

export interface CorpusSpec { label: string; count: number; minPx: number; maxPx: number; photos: string | null }
export interface Corpus { dir: string; sources: number; bytes: number; generated: boolean; seconds: number; from: string }

/** Deterministic per-album random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function photoList(dir: string | null): string[] {
  if (!dir) return [];
  return readdirSync(dir).filter((f) => /\.(jpe?g|png|webp|tiff?)$/i.test(f)).sort().map((f) => join(dir, f));
}

function slugOf(i: number, from: string): string {
  const stem = basename(from, extname(from)).toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 14).replace(/-+$/, '');
  return `a${String(i).padStart(5, '0')}-${stem}`;
}

async function writeCover(root: string, slug: string, data: Buffer): Promise<void> {
  const folder = join(root, 'album', slug);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, `${slug}-hi-res.jpg`), data);
}

interface Draw { size: number; frac: number; x: number; y: number; flop: boolean }
function draw(spec: CorpusSpec, i: number, attempt: number): Draw {
  const r = rng(i * 7919 + attempt * 104729 + spec.count);
  return { size: spec.minPx + Math.floor(r() * (spec.maxPx - spec.minPx + 1)), frac: 0.5 + 0.5 * r(), x: r(), y: r(), flop: r() < 0.5 };
}

/** Encodes unique covers: a cover whose bytes match an earlier one is redrawn. */
async function unique(seen: Set<string>, make: (attempt: number) => Promise<Buffer>): Promise<Buffer> {
  for (let attempt = 0; ; attempt += 1) {
    const data = await make(attempt);
    const digest = createHash('sha256').update(data).digest('hex');
    if (!seen.has(digest)) { seen.add(digest); return data; }
  }
}

async function fromPhotos(spec: CorpusSpec, root: string, photos: string[]): Promise<void> {
  const seen = new Set<string>();
  for (const [p, photo] of photos.entries()) {
    const meta = await sharp(photo).metadata();
    const short = Math.min(meta.autoOrient?.width ?? meta.width ?? 0, meta.autoOrient?.height ?? meta.height ?? 0);
    // Small covers are cut from a reduced copy: decoding a 5 Mpx photo per 400 px cover would take minutes.
    const target = Math.min(short, Math.ceil(spec.maxPx / 0.5));
    const { data, info } = await sharp(photo).autoOrient().resize({ width: target, height: target, fit: 'outside' })
      .toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const raw = { width: info.width, height: info.height, channels: info.channels };
    const albums = Array.from({ length: spec.count }, (_, i) => i).filter((i) => i % photos.length === p);
    await mapPool(albums, 2, async (i) => {
      const cover = await unique(seen, (attempt) => {
        const d = draw(spec, i, attempt);
        const side = Math.max(16, Math.floor(Math.min(raw.width, raw.height) * d.frac));
        const left = Math.floor(d.x * (raw.width - side + 1));
        const top = Math.floor(d.y * (raw.height - side + 1));
        let img = sharp(data, { raw }).extract({ left, top, width: side, height: side }).resize(d.size, d.size);
        if (d.flop) img = img.flop();
        return img.jpeg({ quality: 90 }).toBuffer();
      });
      await writeCover(root, slugOf(i, photo), cover);
    });
  }
}

async function synthetic(spec: CorpusSpec, root: string): Promise<void> {
  const seen = new Set<string>();
  await mapPool(Array.from({ length: spec.count }, (_, i) => i), 2, async (i) => {
    const cover = await unique(seen, async (attempt) => {
      const d = draw(spec, i, attempt);
      const r = rng(i + attempt * 31);
      const hue = (): string => `hsl(${Math.floor(r() * 360)},${40 + Math.floor(r() * 50)}%,${30 + Math.floor(r() * 40)}%)`;
      const shapes = Array.from({ length: 6 }, () =>
        `<circle cx="${r() * d.size}" cy="${r() * d.size}" r="${d.size * (0.05 + r() * 0.3)}" fill="${hue()}" fill-opacity="0.7"/>`).join('');
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${d.size}" height="${d.size}"><defs><linearGradient id="g" x2="1" y2="1">`
        + `<stop offset="0" stop-color="${hue()}"/><stop offset="1" stop-color="${hue()}"/></linearGradient></defs>`
        + `<rect width="100%" height="100%" fill="url(#g)"/>${shapes}</svg>`;
      const noise = await sharp({ create: { width: d.size, height: d.size, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 24 } } })
        .png().toBuffer();
      return sharp(Buffer.from(svg)).flatten().composite([{ input: noise, blend: 'soft-light' }]).jpeg({ quality: 90 }).toBuffer();
    });
    await writeCover(root, slugOf(i, 'synthetic'), cover);
  });
}

function keyOf(spec: CorpusSpec, photos: string[]): string {
  const ids = photos.map((p) => `${basename(p)}:${statSync(p).size}`).join('\n');
  const from = photos.length > 0 ? createHash('sha256').update(ids).digest('hex').slice(0, 10) : 'synthetic';
  return `${spec.label}-n${spec.count}-${spec.minPx}-${spec.maxPx}-${from}-${GENERATOR}`;
}

/** The corpus for `spec`, generated on first use and reused afterwards. */
export async function ensureCorpus(spec: CorpusSpec): Promise<Corpus> {
  const photos = photoList(spec.photos);
  const dir = join(CORPUS_ROOT, keyOf(spec, photos));
  const marker = join(dir, 'corpus.json');
  const from = photos.length > 0 ? `${photos.length} photos in ${spec.photos}` : 'synthetic images';
  if (existsSync(marker)) {
    const saved = JSON.parse(await readFile(marker, 'utf8')) as { sources: number; bytes: number };
    return { dir, sources: saved.sources, bytes: saved.bytes, generated: false, seconds: 0, from };
  }
  const started = performance.now();
  const temp = `${dir}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  if (photos.length > 0) await fromPhotos(spec, temp, photos);
  else await synthetic(spec, temp);
  let bytes = 0;
  for (const slug of readdirSync(join(temp, 'album'))) bytes += statSync(join(temp, 'album', slug, `${slug}-hi-res.jpg`)).size;
  await writeFile(join(temp, 'corpus.json'), `${JSON.stringify({ ...spec, sources: spec.count, bytes, from }, null, 1)}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(temp, dir);
  return { dir, sources: spec.count, bytes, generated: true, seconds: (performance.now() - started) / 1000, from };
}
