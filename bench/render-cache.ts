/**
 * Render cache figures, each run `gulp build` end to end in a fresh process (spawn to exit): a corpus of
 * small covers built cold once, then a no-change run; `rm -rf dist` and a build (restored by hard links);
 * the same with dist on another file system (/dev/shm: copies); and what reading and hashing every render
 * on restore would add (measured on these renders, scaled to russ.fm-sized ones).
 *
 *   node --require esbuild-register bench/render-cache.ts [count=10000] [--runs 3]
 *
 * Run from another checkout (e.g. a `git archive` of main, this file copied in) it gives the figures
 * before the render cache: what the prune at the end of every build costs, and a wiped dist re-rendered.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PHOTOS } from './args';
import { ensureCorpus, runGulpBuild, type GulpRun } from './run-child';

const log = (message: string): void => { process.stderr.write(`[render-cache] ${message}\n`); };
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function timed(label: string, runs: number, before: () => void, run: () => Promise<GulpRun>): Promise<GulpRun> {
  const results: GulpRun[] = [];
  for (let i = 0; i < runs; i += 1) {
    before();
    results.push(await run());
  }
  const seconds = results.map((r) => r.seconds);
  const pick = results.find((r) => r.seconds === median(seconds)) as GulpRun;
  const s = pick.summary;
  log(`${label}: ${median(seconds).toFixed(2)} s median (${seconds.map((x) => x.toFixed(2)).join(', ')}); built ${s.built}, `
    + `restored ${s.restored}, cached ${s.cached}, outputs restored ${s.outputsRestored}, copied ${s.outputsCopied}, `
    + `decoded ${s.bytesIn} B, hashed ${s.hashed}, pruned ${s.rendersPruned}; inside gulp ${s.seconds?.toFixed(2)} s, CPU ${pick.cpuSeconds?.toFixed(2)} s, peak RSS ${pick.peakRssMB?.toFixed(0)} MB`);
  return pick;
}

/** Reads and SHA-256-hashes every render: what verifying each one's bytes on restore would cost. */
function hashEveryRender(cache: string): { files: number; bytes: number; seconds: number } {
  const started = performance.now();
  let files = 0;
  let bytes = 0;
  for (const name of readdirSync(join(cache, 'renders'), { recursive: true, encoding: 'utf8' })) {
    const path = join(cache, 'renders', name);
    if (!statSync(path).isFile()) continue;
    const data = readFileSync(path);
    createHash('sha256').update(data).digest('hex');
    files += 1;
    bytes += data.length;
  }
  return { files, bytes, seconds: (performance.now() - started) / 1000 };
}

/** The same read + SHA-256 over files of russ.fm's sizes (hi-res ≈ 400 KB, medium ≈ 100 KB; random bytes), for `sources` albums. */
function hashAtRussFmSizes(sources: number): { bytes: number; seconds: number } {
  const folder = mkdtempSync(join(tmpdir(), 'bench-hash-'));
  try {
    const hiRes = randomBytes(400_000);
    const medium = randomBytes(100_000);
    for (let i = 0; i < sources; i += 1) {
      writeFileSync(join(folder, `${i}-hi-res.jpg`), hiRes);
      writeFileSync(join(folder, `${i}-medium.jpg`), medium);
    }
    const started = performance.now();
    let bytes = 0;
    for (const name of readdirSync(folder)) {
      const data = readFileSync(join(folder, name));
      createHash('sha256').update(data).digest('hex');
      bytes += data.length;
    }
    return { bytes, seconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const count = Number(args[0] !== undefined && /^\d+$/.test(args[0]) ? args[0] : 10_000);
  const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 3;
  const corpus = await ensureCorpus({ label: 'small', count, minPx: 300, maxPx: 420, photos: DEFAULT_PHOTOS });
  log(`corpus: ${corpus.sources} covers 300–420 px in ${corpus.dir}`);
  const work = mkdtempSync(join(tmpdir(), 'bench-render-cache-'));
  const dest = join(work, 'dist');
  const cache = join(work, 'cache');
  try {
    await timed('cold build (setup, not a target)', 1, () => undefined, () => runGulpBuild(corpus.dir, dest, cache));
    await timed('no change', runs, () => undefined, () => runGulpBuild(corpus.dir, dest, cache));
    await timed('after rm -rf dist (links, or everything rendered before the render cache)', runs, () => rmSync(dest, { recursive: true, force: true }), () => runGulpBuild(corpus.dir, dest, cache));
    if (!existsSync(join(cache, 'renders'))) return; // a checkout without the render cache
    // The CLI refuses folders under /dev, and /dev/shm is this machine's only other file system: these two
    // run the library in this process (no gulp start-up), links then copies, for a like-for-like pair.
    const { buildImages } = require('../lib/images/build') as typeof import('../lib/images/build');
    const { DEFAULT_IMAGE_CONFIG } = require('../lib/images/config') as typeof import('../lib/images/config');
    const inProcess = async (label: string, to: string): Promise<void> => {
      const seconds: number[] = [];
      let last: Record<string, unknown> = {};
      for (let i = 0; i < runs; i += 1) {
        rmSync(to, { recursive: true, force: true });
        const started = performance.now();
        last = await buildImages({ src: corpus.dir, dest: to, cacheDir: cache, config: DEFAULT_IMAGE_CONFIG, concurrency: 4, noCache: false, scope: {}, quiet: true }) as unknown as Record<string, unknown>;
        seconds.push((performance.now() - started) / 1000);
      }
      log(`${label}: ${median(seconds).toFixed(2)} s median (${seconds.map((x) => x.toFixed(2)).join(', ')}); `
        + `restored ${String(last.restored)}, outputs restored ${String(last.outputsRestored)}, copied ${String(last.outputsCopied)}, built ${String(last.built)}`);
    };
    await inProcess('library call after a wipe, same file system (links)', dest);
    if (existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(cache).dev) {
      const shm = mkdtempSync('/dev/shm/bench-render-cache-');
      try {
        await inProcess('library call after a wipe, dist on tmpfs (copies)', join(shm, 'dist'));
      } finally {
        rmSync(shm, { recursive: true, force: true });
      }
    }
    const hash = hashEveryRender(cache);
    log(`hash on restore: ${hash.files} renders of this corpus, ${(hash.bytes / 1e6).toFixed(0)} MB read + SHA-256 in ${hash.seconds.toFixed(2)} s`);
    const sized = hashAtRussFmSizes(Math.min(count, 2000));
    const perSource = sized.seconds / Math.min(count, 2000);
    log(`hash on restore at russ.fm sizes (400 KB + 100 KB per album, page cache warm): ${(sized.bytes / 1e6).toFixed(0)} MB in `
      + `${sized.seconds.toFixed(2)} s (${(sized.bytes / 1e6 / sized.seconds).toFixed(0)} MB/s): ${(perSource * count).toFixed(1)} s for ${count} sources`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exitCode = 1;
});
