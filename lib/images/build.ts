/**
 * `gulp build` as a library call: scan and hash the sources, plan against the previous manifest (dist's,
 * else the render cache's copy), put back from the render cache what it holds, stream what must be
 * rendered through the responsive plugin into the cache and dist/ (each output written whole or not at
 * all), then remove stale outputs, write the manifest and prune the cache. Per-source failures are
 * collected; the run always finishes.
 */
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { join, resolve } from 'node:path';
import Vinyl from 'vinyl';
import { ConfigError, SourceError } from '../errors';
import { manifestPath } from '../manifest/io';
import { remoteOutputs } from '../manifest/remote-marks';
import type { ImageManifest, ManifestSource } from '../manifest/types';
import { planBuild, type BuildTask } from '../plan/build-plan';
import { createProgress } from '../util/progress';
import { finishBuild } from './build-finish';
import { checkFolders, refuseEmptying } from './build-guards';
import { dryRunSummary } from './build-dry-run';
import { maxSourceBytes, type ImageConfig } from './config';
import { ownerIn } from './dist-cleanup';
import type { LinkFile } from './place-file';
import { loadPrevious, planChecks } from './plan-inputs';
import { RenderCache } from './render-cache';
import { ONLY_KEYS, responsive, type SourceResult } from './responsive';
import { ENCODER_VERSION } from './sharp-adapter';
import { inScope, scanSources, type Scope } from './scan-sources';
import { SourceIndex } from './source-index';
import { parseSourcePath } from './source-path';
import { onlyShard } from './shard';
import { writeOutputs } from './write-outputs';
import { countHiRes, ignoredFiles, type HiResCounts } from './build-summary';

export interface BuildOptions {
  readonly src: string;
  readonly dest: string;
  /** Folder for the source index (size+mtime+inode → hash), the render cache and the manifest copies. */
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
  /** How dist files are linked to their renders (default fs.linkSync); tests pass one that refuses. */
  readonly linkFile?: LinkFile;
  /** The remote build cache (`--env`): the bucket's latest release as a manifest, marked (readRemoteBuildCache). */
  readonly remote?: { readonly release: string; readonly manifest: ImageManifest };
  /** Given the manifest the build wrote (or kept): what a caller would otherwise read back and parse again. */
  readonly onManifest?: (manifest: ImageManifest) => void;
}

export interface BuildSummary {
  sources: number;
  /** Sources rendered (fully or partly). */
  built: number;
  /** Sources with nothing rendered, some of their outputs put back from the render cache. */
  restored: number;
  /** Sources with every output already in dist. */
  cached: number;
  /** Sources with nothing rendered or put back and some outputs left in the bucket (the remote build cache). */
  remote: number;
  /** Outputs in the new manifest that are not in dist but in the bucket's release (marked `remote`). */
  outputsRemote: number;
  /** The release the remote build cache was read from (`--env`). */
  remoteRelease?: string;
  removed: number;
  failed: number;
  /** Outputs rendered and written. */
  outputsWritten: number;
  /** Outputs put back in dist from the render cache (linked, or copied: see outputsCopied). */
  outputsRestored: number;
  /** Outputs placed in dist by copying from the cache, because dist's file system refused hard links. */
  outputsCopied: number;
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
  /** Temp files of killed writers removed from dist and the cache dir. */
  leftoversRemoved: number;
  /** Renders deleted from the cache: no kept manifest (of this dist or another sharing the cache) names them. */
  rendersPruned: number;
  /** How the collection's hi-res (`source` size) images are published; the reasons count this run's re-encodes. */
  hiRes: HiResCounts;
  /** Image files under album/ and artist/ not named as sources (`<slug>/<slug>-hi-res.jpg`): not built. */
  ignored: { count: number; examples: string[] };
  /** With dryRun: the sources that would be rendered or restored from the render cache, and the outputs that would be removed (nothing was). */
  dryRun?: { build: string[]; restore: string[]; remove: string[] };
}

function toVinyl(task: BuildTask, root: string): Vinyl {
  const file = new Vinyl({ cwd: root, base: root, path: task.candidate.path, contents: null });
  Object.assign(file, { sha256: task.candidate.sha256, [ONLY_KEYS]: task.onlyKeys });
  return file;
}

/** Made as the stream asks for them: 13,000 vinyls made up front all stayed reachable until the last source was done. */
function* vinylsOf(tasks: readonly BuildTask[], root: string): Generator<Vinyl> {
  for (const task of tasks) yield toVinyl(task, root);
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
  const renders = new RenderCache(options.cacheDir, options.linkFile);
  const { shard } = options.scope;
  const remote = options.remote && shard ? onlyShard(options.remote.manifest, shard) : options.remote?.manifest;
  const { manifest: previous, inDist, known } = await loadPrevious(dist, renders, remote, shard);
  const index = await SourceIndex.load(join(options.cacheDir, 'source-index.json'));
  const needsHash = (rel: string) => !options.noCache && ((previous ?? known)?.sources[rel] ?? remote?.sources[rel]) !== undefined;
  const scan = await scanSources(root, options.scope, index, options.config, needsHash, maxSourceBytes(options.config));
  const plan = planBuild({
    candidates: scan.candidates, previous, known, remote: previous === remote ? null : remote, inScope: (rel) => inScope(options.scope, rel), config: options.config,
    encoderVersion: ENCODER_VERSION, noCache: options.noCache, ...planChecks(dist, renders, options.noCache),
  });
  const previousOutputs = plan.removedSources.reduce((n, rel) => n + (previous?.sources[rel]?.variants.length ?? 0), 0);
  refuseEmptying(scan.candidates.length + scan.failures.length, plan.removedSources.length, previousOutputs, root, options.scope, options.allowEmpty === true);
  if (options.dryRun) return { ...dryRunSummary(plan, previous, scan, started, manifestPath(dist, shard)), remoteRelease: options.remote?.release };

  // Restored first, and without a decode: a partial rebuild's kept variants too, so dist is whole again soonest.
  const restoreFailures = renders.restore(plan.restore, dist, ownerIn(previous ?? known));
  const failures: SourceError[] = [...scan.failures, ...restoreFailures];
  const next: Record<string, ManifestSource> = { ...plan.carried, ...plan.cached, ...plan.restored, ...plan.remote };
  const tasks = new Map(plan.build.map((t) => [t.candidate.rel, t]));
  const progress = createProgress({ label: 'build', total: plan.build.length, unit: 'src', silent: options.quiet });
  let bytesIn = 0;
  let bytesOut = 0;
  let outputsWritten = 0;
  let hashedWhileRendering = 0;
  const reencodeReasons: Record<string, number> = {};
  await pipeline(
    Readable.from(vinylsOf(plan.build, root), { objectMode: true }),
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
    writeOutputs(dist, renders),
  );
  progress.done();

  const finish = await finishBuild({
    dist, previous, previousInDist: inDist, encoder: ENCODER_VERSION, next, rendered: plan.build.length, failures, renders, shard,
    previousFromBucket: previous !== null && previous === remote,
  });
  options.onManifest?.(finish.manifest);
  await index.save();

  const seconds = (performance.now() - started) / 1000;
  const failedSources = new Set(failures.map((f) => f.file));
  return {
    sources: scan.candidates.length + scan.failures.length,
    built: plan.build.filter((t) => !failedSources.has(t.candidate.rel)).length,
    restored: Object.keys(plan.restored).filter((rel) => !failedSources.has(rel)).length,
    cached: Object.keys(plan.cached).length,
    remote: Object.keys(plan.remote).length,
    outputsRemote: remoteOutputs(next),
    remoteRelease: options.remote?.release,
    removed: plan.removedSources.filter((rel) => !failedSources.has(rel)).length, // a failed source keeps its entry
    failed: failures.length,
    outputsWritten,
    outputsRestored: plan.restore.length - restoreFailures.length,
    outputsCopied: renders.copied,
    outputsRemoved: finish.stale.length,
    bytesIn,
    bytesOut,
    hashed: scan.hashed + hashedWhileRendering,
    seconds,
    sourcesPerSecond: (scan.candidates.length + scan.failures.length) / Math.max(seconds, 1e-6),
    manifest: manifestPath(dist, shard),
    failures: failures.map((f) => ({ file: f.file, reason: f.hint ? `${f.reason} (${f.hint})` : f.reason })),
    leftoversRemoved: finish.leftovers + finish.pruned.leftovers,
    rendersPruned: finish.pruned.renders,
    hiRes: countHiRes(next, reencodeReasons),
    ignored: ignoredFiles(scan.ignored),
  };
}
