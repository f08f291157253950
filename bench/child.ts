/**
 * One strategy in its own process, so peak RSS is per strategy.
 * Usage: node --require esbuild-register bench/child.ts <strategy> '<json options>'
 * Prints one line `BENCH_RESULT {json}` on stdout.
 */
import { isBoxSize, PRESETS, type ImageConfig } from '../lib/images/config';

const DEFAULT_IMAGE_CONFIG = PRESETS['four-size'];
import { measure } from './measure';

// Each strategy loads only its own modules (lazily), so e.g. our adapter's sharp.cache(false) does not
// leak into the "sequential" strategy, which runs with sharp's defaults as russ.fm does today.
const load = {
  build: () => require('../lib/images/build') as typeof import('../lib/images/build'),
  responsive: () => require('../lib/images/responsive') as typeof import('../lib/images/responsive'),
  strategies: () => require('./strategies') as typeof import('./strategies'),
  formats: () => require('./formats') as typeof import('./formats'),
  profile: () => require('./profile') as typeof import('./profile'),
  corpus: () => require('./corpus') as typeof import('./corpus'),
  recipe: () => require('./recipe-strategies') as typeof import('./recipe-strategies'),
  presets: () => require('../lib/images/presets') as typeof import('../lib/images/presets'),
};

/**
 * `default`: russ.fm's config. `sequential`: the sequential loop's recipe (medium/small/avatar cover, q85
 * baseline, no mozjpeg, no hi-res), to compare the machinery on equal work.
 */
function recipe(name: unknown): ImageConfig {
  if (name === undefined || name === 'default') return DEFAULT_IMAGE_CONFIG;
  if (name !== 'sequential') throw new Error(`unknown recipe ${String(name)}`);
  return {
    ...DEFAULT_IMAGE_CONFIG,
    sizes: DEFAULT_IMAGE_CONFIG.sizes.filter(isBoxSize).filter((s) => s.fit === 'cover').map(({ jpeg: _jpeg, ...size }) => size),
    jpeg: { quality: 85, progressive: false, mozjpeg: false },
  };
}

function info(): string {
  const sharp = require('sharp') as typeof import('sharp');
  const { availableParallelism, cpus, loadavg } = require('node:os') as typeof import('node:os');
  return `${availableParallelism()} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, sharp ${sharp.versions.sharp}, `
    + `libvips ${sharp.versions.vips}, sharp.concurrency() ${sharp.concurrency()}, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '(4)'}, `
    + `MALLOC_ARENA_MAX ${process.env.MALLOC_ARENA_MAX ?? '(unset)'}, load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}`;
}

export const RESULT_TAG = 'BENCH_RESULT ';

export interface ChildOptions {
  src?: string; dest?: string; cacheDir?: string; pool?: number; count?: number; recipe?: 'default' | 'sequential'; domain?: boolean; [spec: string]: unknown;
}

async function run(strategy: string, o: ChildOptions): Promise<Record<string, unknown>> {
  const src = o.src as string;
  switch (strategy) {
    case 'info': return { info: info() };
    case 'corpus': return { corpus: await load.corpus().ensureCorpus(o as unknown as import('./corpus').CorpusSpec) };
    case 'ours': {
      const { buildImages } = load.build();
      const concurrency = load.responsive().defaultConcurrency();
      const call = () => buildImages({
        src, dest: o.dest!, cacheDir: o.cacheDir!, config: recipe(o.recipe), concurrency, noCache: false, scope: {}, quiet: true,
      });
      // `domain: true` runs the call inside a domain, as gulp does (async-done wraps every task in one).
      const inDomain = () => new Promise<Awaited<ReturnType<typeof call>>>((done, fail) => {
        const d = (require('node:domain') as typeof import('node:domain')).create();
        d.on('error', fail);
        d.run(() => { call().then(done, fail); });
      });
      const { value: s, measured } = await measure(o.domain === true ? inDomain : call);
      if (s.failed > 0) throw new Error(`build failed for ${s.failed} sources: ${JSON.stringify(s.failures.slice(0, 3))}`);
      return {
        ...measured, sources: s.sources, outputs: s.outputsWritten, bytesOut: s.bytesOut, decodes: s.built,
        built: s.built, cached: s.cached, hashed: s.hashed, concurrency, librarySeconds: s.seconds,
      };
    }
    case 'ceiling': {
      const { ceiling } = load.strategies();
      const { value, measured } = await measure(() => ceiling(src, o.dest!, recipe(o.recipe), o.pool ?? 2));
      return { ...measured, ...value, decodes: value.sources, concurrency: o.pool };
    }
    case 'sequential': {
      const { sequential } = load.strategies();
      const config = o.recipe === 'default' ? DEFAULT_IMAGE_CONFIG : undefined;
      const { value, measured } = await measure(() => sequential(src, o.dest!, config));
      return { ...measured, ...value, decodes: value.outputs, concurrency: 1 };
    }
    // bench/recipe-bench.ts: the russ-fm recipe (the default config) against the site's loop and a ceiling.
    case 'recipe-corpus': return { corpus: await (require('./recipe-corpus') as typeof import('./recipe-corpus')).ensureRecipeCorpus(o as never) };
    case 'recipe-ours': {
      const { buildImages } = load.build();
      const config = load.presets().DEFAULT_IMAGE_CONFIG;
      const concurrency = typeof o.concurrency === 'number' ? o.concurrency : load.responsive().defaultConcurrency();
      const { value: s, measured } = await measure(() => buildImages({
        src, dest: o.dest!, cacheDir: o.cacheDir!, config, concurrency, noCache: false, scope: {}, quiet: true,
      }));
      if (s.failed > 0) throw new Error(`build failed for ${s.failed} sources: ${JSON.stringify(s.failures.slice(0, 3))}`);
      const { failures: _f, manifest: _m, ...summary } = s;
      return {
        ...measured, sources: s.sources, outputs: s.outputsWritten, bytesOut: s.bytesOut, decodes: s.built,
        built: s.built, cached: s.cached, hashed: s.hashed, concurrency, librarySeconds: s.seconds, summary,
      };
    }
    case 'site-loop': {
      const { value, measured } = await measure(() => load.recipe().siteLoop(src, o.dest!));
      return { ...measured, ...value, decodes: value.outputs - value.sources, concurrency: 10 };
    }
    case 'recipe-ceiling': {
      const { value, measured } = await measure(() => load.recipe().recipeCeiling(src, o.dest!, o.pool ?? 2));
      return { ...measured, ...value, decodes: value.sources, concurrency: o.pool };
    }
    case 'formats': {
      const { formatsTable } = load.formats();
      const { value, measured } = await measure(() => formatsTable(src, o.count ?? 20));
      return { ...measured, rows: value };
    }
    case 'phases': {
      const { value, measured } = await measure(() => load.profile().phases(src, o.dest!, o.cacheDir!));
      return { ...measured, phases: value };
    }
    default:
      throw new Error(`unknown strategy ${strategy}`);
  }
}

if (require.main === module) {
  const [strategy = '', json = '{}'] = process.argv.slice(2);
  run(strategy, JSON.parse(json) as ChildOptions).then(
    (result) => { process.stdout.write(`${RESULT_TAG}${JSON.stringify({ strategy, ...result })}\n`); },
    (error: unknown) => { process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`); process.exit(1); },
  );
}
