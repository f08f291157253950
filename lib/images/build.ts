/**
 * `gulp build` as a library call: scan and hash the sources, plan against the previous manifest,
 * stream what must be rendered through the responsive plugin into dist/ (each output written whole or
 * not at all), then remove stale
 * outputs and write the manifest. Per-source failures are collected; the run always finishes.
 */
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { join, resolve } from 'node:path';
import Vinyl from 'vinyl';
import { ConfigError, SourceError } from '../errors';
import { manifestPath, readManifest, writeManifest } from '../manifest/io';
import { MANIFEST_SCHEMA, type ImageManifest, type ManifestSource } from '../manifest/types';
import { planBuild, staleKeys, type BuildTask } from '../plan/build-plan';
import { pathUnder } from '../util/contained-path';
import { createProgress } from '../util/progress';
import { checkFolders, refuseEmptying } from './build-guards';
import { dryRunSummary } from './build-dry-run';
import { maxSourceBytes, type ImageConfig } from './config';
import { removeLeftoverTemps, removeStale } from './dist-cleanup';
import { ONLY_KEYS, responsive, type SourceResult } from './responsive';
import { ENCODER_VERSION } from './sharp-adapter';
import { inScope, scanSources, type Scope } from './scan-sources';
import { SourceIndex } from './source-index';
import { parseSourcePath } from './source-path';
import { writeOutputs } from './write-outputs';
import { countHiRes, ignoredFiles, type HiResCounts } from './build-summary';

export interface BuildOptions {
  readonly src: string;
  readonly dest: string;
  /** Folder for the local source index (size+mtime+inode → hash). */
  readonly cacheDir: string;
  readonly config: ImageConfig;
  readonly concurrency: number;
  readonly noCache: boolean;
  readonly scope: Scope;
  /** No progress output (tests, --json). */
  readonly quiet?: boolean;
  /** Plan only: report what would be built and removed, and write nothing (no dist, no cache, no manifest). */
  readonly dryRun?: boolean;
  /** Allow a build that finds no sources to remove every output of its scope. */
  readonly allowEmpty?: boolean;
}

export interface BuildSummary {
  sources: number;
  built: number;
  cached: number;
  removed: number;
  failed: number;
  outputsWritten: number;
  outputsRemoved: number;
  /** Bytes of the sources that were decoded, and of the outputs written. */
  bytesIn: number;
  bytesOut: number;
  /** Sources read and hashed because the source index did not know them. */
  hashed: number;
  seconds: number;
  sourcesPerSecond: number;
  manifest: string;
  failures: { file: string; reason: string }[];
  /** Temp files of killed writers removed from dist. */
  leftoversRemoved: number;
  /** How the collection's hi-res (`source` size) images are published; the reasons count this run's re-encodes. */
  hiRes: HiResCounts;
  /** Image files under album/ and artist/ not named as sources (`<slug>/<slug>-hi-res.jpg`): not built. */
  ignored: { count: number; examples: string[] };
  /** With dryRun: the sources that would be rendered and the outputs that would be removed (nothing was). */
  dryRun?: { build: string[]; remove: string[] };
}

/** Outputs of the previous build still in dist with their recorded size. Sync stats: 20,000 promises cost more. */
function presentOutputs(dist: string, previous: ImageManifest | null, rels: ReadonlySet<string>): Set<string> {
  const present = new Set<string>();
  for (const [rel, source] of Object.entries(previous?.sources ?? {})) {
    if (!rels.has(rel)) continue;
    for (const v of source.variants) {
      // The manifest was validated; pathUnder still stands between its keys and the disk.
      if (statSync(pathUnder(dist, v.key), { throwIfNoEntry: false })?.size === v.bytes) present.add(`${v.key}\0${v.bytes}`);
    }
  }
  return present;
}

/** The source (manifest key) whose variant `key` is: stale outputs are reported under their source. */
function ownerIn(previous: ImageManifest | null): (key: string) => string {
  const owners = new Map<string, string>();
  for (const [rel, source] of Object.entries(previous?.sources ?? {})) for (const v of source.variants) owners.set(v.key, rel);
  return (key) => owners.get(key) ?? key;
}

function toVinyl(task: BuildTask, root: string): Vinyl {
  const file = new Vinyl({ cwd: root, base: root, path: task.candidate.path, contents: null });
  Object.assign(file, { sha256: task.candidate.sha256, [ONLY_KEYS]: task.onlyKeys });
  return file;
}

function entryOf(result: SourceResult, task: BuildTask | undefined, config: ImageConfig): ManifestSource {
  const source = parseSourcePath(result.rel, config.sourceSuffix);
  const variants = [...(task?.reuse ?? []), ...result.variants].sort((a, b) => (a.key < b.key ? -1 : 1));
  return {
    type: source.type, slug: source.slug, bytes: result.bytes, sha256: result.sha256,
    width: result.info.width, height: result.info.height, variants,
  };
}

export async function buildImages(options: BuildOptions): Promise<BuildSummary> {
  const started = performance.now();
  const root = resolve(options.src);
  const dist = resolve(options.dest);
  checkFolders(root, dist);
  if (!(await stat(root).then((s) => s.isDirectory(), () => false))) {
    throw new ConfigError(`source folder ${root} does not exist`, 'pass --src <folder> (russ.fm keeps sources in public/)');
  }
  const previous = await readManifest(manifestPath(dist));
  const index = await SourceIndex.load(join(options.cacheDir, 'source-index.json'));
  const needsHash = (rel: string) => !options.noCache && previous?.sources[rel] !== undefined;
  const scan = await scanSources(root, options.scope, index, options.config, needsHash, maxSourceBytes(options.config));
  const present = options.noCache ? new Set<string>() : presentOutputs(dist, previous, new Set(scan.candidates.map((c) => c.rel)));
  const plan = planBuild({
    candidates: scan.candidates, previous, inScope: (rel) => inScope(options.scope, rel), config: options.config,
    encoderVersion: ENCODER_VERSION, noCache: options.noCache, present: (key, bytes) => present.has(`${key}\0${bytes}`),
  });
  const previousOutputs = plan.removedSources.reduce((n, rel) => n + (previous?.sources[rel]?.variants.length ?? 0), 0);
  refuseEmptying(scan.candidates.length + scan.failures.length, plan.removedSources.length, previousOutputs, root, options.scope, options.allowEmpty === true);
  if (options.dryRun) return dryRunSummary(plan, previous, scan, started, dist);

  const failures: SourceError[] = [...scan.failures];
  const next: Record<string, ManifestSource> = { ...plan.carried, ...plan.cached };
  const tasks = new Map(plan.build.map((t) => [t.candidate.rel, t]));
  const progress = createProgress({ label: 'build', total: plan.build.length, unit: 'src', silent: options.quiet });
  let bytesIn = 0;
  let bytesOut = 0;
  let outputsWritten = 0;
  let hashedWhileRendering = 0;
  const reencodeReasons: Record<string, number> = {};
  await pipeline(
    Readable.from(plan.build.map((t) => toVinyl(t, root)), { objectMode: true }),
    responsive({
      config: options.config,
      concurrency: options.concurrency,
      onSource: (result) => {
        const task = tasks.get(result.rel);
        next[result.rel] = entryOf(result, task, options.config);
        if (task?.candidate.sha256 === undefined) hashedWhileRendering += 1;
        if (result.passthrough?.path === 'reencode') reencodeReasons[result.passthrough.reason] = (reencodeReasons[result.passthrough.reason] ?? 0) + 1;
        if (task?.candidate.stat) index.remember(result.rel, task.candidate.stat, result.sha256);
        bytesIn += result.bytes;
        outputsWritten += result.variants.length;
        bytesOut += result.variants.reduce((sum, v) => sum + v.bytes, 0);
        progress.tick(1, result.bytes);
      },
      onError: (error) => {
        failures.push(error);
        progress.tick(1);
      },
    }),
    writeOutputs(dist),
  );
  progress.done();

  // A source that failed keeps its previous entry and outputs: never delete on a guess.
  for (const failure of failures) {
    const before = previous?.sources[failure.file];
    if (before && !next[failure.file]) next[failure.file] = before;
  }
  const stale = staleKeys(previous, next);
  const ownerOf = ownerIn(previous);
  failures.push(...await removeStale(dist, stale, ownerOf));
  const leftovers = await removeLeftoverTemps(dist);
  // The plan hands back the previous entry object itself for every untouched source, so identity tells.
  const unchanged = previous !== null && previous.encoder === ENCODER_VERSION && plan.build.length === 0
    && stale.length === 0 && Object.keys(next).length === Object.keys(previous.sources).length
    && Object.entries(next).every(([rel, entry]) => previous.sources[rel] === entry);
  if (!unchanged) {
    await writeManifest(manifestPath(dist), {
      schema: MANIFEST_SCHEMA, encoder: ENCODER_VERSION, updatedAt: new Date().toISOString(), sources: next,
    });
  }
  await index.save();

  const seconds = (performance.now() - started) / 1000;
  const built = plan.build.length - failures.filter((f) => tasks.has(f.file)).length;
  return {
    sources: scan.candidates.length + scan.failures.length,
    built,
    cached: Object.keys(plan.cached).length,
    removed: plan.removedSources.length,
    failed: failures.length,
    outputsWritten,
    outputsRemoved: stale.length,
    bytesIn,
    bytesOut,
    hashed: scan.hashed + hashedWhileRendering,
    seconds,
    sourcesPerSecond: (scan.candidates.length + scan.failures.length) / Math.max(seconds, 1e-6),
    manifest: manifestPath(dist),
    failures: failures.map((f) => ({ file: f.file, reason: f.hint ? `${f.reason} (${f.hint})` : f.reason })),
    leftoversRemoved: leftovers.length,
    hiRes: countHiRes(next, reencodeReasons),
    ignored: ignoredFiles(scan.ignored),
  };
}
