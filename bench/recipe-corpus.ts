/**
 * The russ-fm recipe corpus: `count` album covers (bench/corpus.ts, 1000–1600 px, cut from the photos)
 * plus `artists` artist sources (a second corpus of the same kind, placed under artist/ with `r` slugs),
 * assembled once into `bench/.corpus/recipe-…/{album,artist}/<slug>/<slug>-hi-res.jpg` and reused.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CORPUS_ROOT } from './args';
import { ensureCorpus, type Corpus } from './corpus';

export interface RecipeCorpusSpec { count: number; artists: number; photos: string | null }
export interface RecipeCorpus { dir: string; albums: number; artists: number; bytes: number; from: string }

async function place(from: Corpus, to: string, type: 'album' | 'artist', slugAs: (slug: string) => string): Promise<number> {
  let bytes = 0;
  for (const slug of (await readdir(join(from.dir, 'album'))).sort()) {
    const name = slugAs(slug);
    await mkdir(join(to, type, name), { recursive: true });
    const data = await readFile(join(from.dir, 'album', slug, `${slug}-hi-res.jpg`));
    await writeFile(join(to, type, name, `${name}-hi-res.jpg`), data);
    bytes += data.length;
  }
  return bytes;
}

export async function ensureRecipeCorpus(spec: RecipeCorpusSpec): Promise<RecipeCorpus> {
  const albums = await ensureCorpus({ label: 'covers', count: spec.count, minPx: 1000, maxPx: 1600, photos: spec.photos });
  const artists = spec.artists > 0 ? await ensureCorpus({ label: 'artists', count: spec.artists, minPx: 1000, maxPx: 1600, photos: spec.photos }) : null;
  const dir = join(CORPUS_ROOT, `recipe-${basename(albums.dir)}${artists ? `+${basename(artists.dir)}` : ''}`);
  const marker = join(dir, 'recipe-corpus.json');
  if (existsSync(marker)) return JSON.parse(await readFile(marker, 'utf8')) as RecipeCorpus;
  const temp = `${dir}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  let bytes = await place(albums, temp, 'album', (s) => s);
  if (artists) bytes += await place(artists, temp, 'artist', (s) => `r${s.slice(1)}`);
  const result: RecipeCorpus = { dir, albums: albums.sources, artists: artists?.sources ?? 0, bytes, from: albums.from };
  await writeFile(join(temp, 'recipe-corpus.json'), `${JSON.stringify(result, null, 1)}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(temp, dir);
  return result;
}
