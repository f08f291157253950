/**
 * Scale benchmark, part a: peak RSS of `gulp build` and of `gulp sync`, each its own process end to end
 * (VmHWM through the rss-on-exit preload, as the build bench measures it), on the site's recipe at the
 * issue's scale: albums (hi-res + medium) and artists (hi-res + medium + avatar), real covers cut from
 * the photographs. The synced bucket is what part b's no-change runs then read.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RecipeCorpus } from './recipe-corpus';
import { runChild, runGulp, runGulpBuild, type GulpRun } from './run-child';
import { CREDENTIALS } from './peer-tools';
import type { ScaleContext, Verdict } from './scale-bench';

export const RSS_TARGET_MB = 400;

export interface BuiltBucket { dist: string; objects: number; bytes: number; bucket: string }

const mb = (run: GulpRun): string => (run.peakRssMB === null ? '—' : run.peakRssMB.toFixed(0));

function filesUnder(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && /\.(jpe?g|png)$/i.test(e.name)).length;
}

export async function buildAndSync(ctx: ScaleContext, bucket: string): Promise<{ built: BuiltBucket; lines: string[]; verdicts: Verdict[] }> {
  ctx.log(`corpus: ${ctx.albums} albums + ${ctx.artists} artists (generated once, then reused)…`);
  const corpus = (await runChild('recipe-corpus', { count: ctx.albums, artists: ctx.artists, photos: ctx.photos })).corpus as RecipeCorpus;
  const dist = join(ctx.work, 'dist');
  const cache = join(ctx.work, 'render-cache');
  ctx.log('gulp build, cold…');
  const cold = await runGulpBuild(corpus.dir, dist, cache);
  const objects = filesUnder(dist);
  ctx.log(`gulp build: ${objects} objects in ${cold.seconds.toFixed(1)} s; no-change rebuild…`);
  const again = await runGulpBuild(corpus.dir, dist, cache);
  const env = { ...CREDENTIALS, S3_ENDPOINT: ctx.endpoint, R2_BUCKET_NAME: bucket };
  const syncArgs = ['sync', '--dest', dist, '--silent', '--json'];
  ctx.log('gulp sync, cold (every object uploaded)…');
  const upload = await runGulp(syncArgs, env);
  ctx.log(`gulp sync cold: ${upload.seconds.toFixed(1)} s; no-change sync…`);
  const noChange = await runGulp(syncArgs, env);
  const bytes = Number(cold.summary.bytesOut ?? 0);
  const row = (name: string, run: GulpRun, what: string) =>
    `| ${name} | ${what} | ${run.seconds.toFixed(1)} | ${run.cpuSeconds?.toFixed(1) ?? '—'} | **${mb(run)}** | ${run.foreignCpuSeconds?.toFixed(1) ?? '—'} |`;
  const lines = [
    `### a. Peak RSS at scale: ${corpus.albums} albums + ${corpus.artists} artists on the site's recipe = ${objects} objects`,
    '',
    `Sources: ${corpus.albums + corpus.artists} covers 1000–1600 px q90 cut from ${corpus.from} (${(corpus.bytes / 1e9).toFixed(2)} GB); `
      + `dist/: ${objects} objects. Each row is one process, spawn to exit; peak RSS = VmHWM of that process (bench/rss-on-exit.js).`,
    '',
    '| run | work | seconds | CPU s | peak RSS MB | foreign CPU s |',
    '|---|---|---|---|---|---|',
    row('`gulp build` cold', cold, `${cold.summary.sources} sources rendered (built ${cold.summary.built}), ${cold.summary.outputsWritten} outputs written`),
    row('`gulp build` no-change', again, `${again.summary.sources} sources, built ${again.summary.built}`),
    row('`gulp sync` cold (16 in flight)', upload, `${objects} objects uploaded to s3rver (its own process)`),
    row('`gulp sync` no-change', noChange, `${objects} objects listed and judged, nothing written`),
  ];
  const peaks = [cold, again, upload, noChange].map((r) => r.peakRssMB ?? Infinity);
  const build = Math.max(peaks[0] as number, peaks[1] as number);
  const sync = Math.max(peaks[2] as number, peaks[3] as number);
  const verdicts: Verdict[] = [{
    target: `${objects} objects (${corpus.albums} albums on the site's recipe + ${corpus.artists} artists): build + sync peak RSS ≤ ${RSS_TARGET_MB} MB`,
    result: `build ${build.toFixed(0)} MB, sync ${sync.toFixed(0)} MB (each its own process)`,
    verdict: build <= RSS_TARGET_MB && sync <= RSS_TARGET_MB ? 'PASS' : 'FAIL',
  }];
  return { built: { dist, objects, bytes, bucket }, lines, verdicts };
}
