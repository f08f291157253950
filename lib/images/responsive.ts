/**
 * The responsive-images gulp plugin: each source vinyl in, one vinyl per variant out.
 * Keeps `concurrency` sources in flight; a bad source is reported (never thrown, never stalls the stream).
 */
import { availableParallelism } from 'node:os';
import type { Transform } from 'node:stream';
import { join } from 'node:path';
import through2 from 'through2';
import Vinyl from 'vinyl';
import { SourceError } from '../errors';
import { digestsOf, md5Of, sha256Of } from '../util/hash';
import { DEFAULT_IMAGE_CONFIG, type ImageConfig } from './config';
import { ENCODER_VERSION, type Passthrough, type SourceInfo } from './sharp-adapter';
import { probeSource, readSourceFile, sourceFailure } from './source-input';
import { renderVariants } from './sharp-per-output';
import { plannerFromSharpResponsive, type SharpResponsiveOptions, type VariantPlanner } from './sharp-responsive-options';
import { badSourceName, parseSourcePath, toKey } from './source-path';
import { variantCacheKey, variantsFor } from './variants';
import type { ManifestVariant } from '../manifest/types';

export interface SourceResult {
  /** Source path relative to the source root (POSIX, NFC). */
  readonly rel: string;
  readonly info: SourceInfo;
  readonly bytes: number;
  readonly sha256: string;
  readonly variants: ManifestVariant[];
  /** How its `source` size (hi-res) was published, when one was rendered. */
  readonly passthrough?: Passthrough;
}

export interface ResponsiveOptions {
  /** Our config (default: russ.fm's), or gulp-sharp-responsive's option shape. */
  config?: ImageConfig | SharpResponsiveOptions;
  /** Sources in flight at once. Default: 4 per core, 4–16 (sharp uses one thread per image here). */
  concurrency?: number;
  /** Called when a source's variants have been pushed downstream. */
  onSource?: (result: SourceResult) => void;
  /** Called for a source that failed. Without it, the failure is emitted as a stream error (gulp convention). */
  onError?: (error: SourceError) => void;
}

/** Keys a vinyl may carry (set by the build planner) to render only some of its variants. */
export const ONLY_KEYS = Symbol('responsive.onlyKeys');
/** Set on each output vinyl: its variant's cache key (what the build's render cache keeps it under). */
export const CACHE_KEY = Symbol('responsive.cacheKey');
type PlannedVinyl = Vinyl & { [ONLY_KEYS]?: ReadonlySet<string>; sha256?: string };

/**
 * 4 sources a core, 4–16: while the main thread reads, hashes and writes one source, libuv's threads must
 * have others to decode (measured on 2 cores: 8 in flight 0.95× the site's loop in wall time, 4 in flight 0.90×).
 */
export function defaultConcurrency(): number {
  return Math.max(4, Math.min(16, availableParallelism() * 4));
}

interface Planner { plan: VariantPlanner; config: ImageConfig; includeOriginal: boolean }

function plannerFor(config: ImageConfig | SharpResponsiveOptions): Planner {
  if (!('sizes' in config)) {
    const includeOriginal = config.includeOriginalFile === true;
    return { plan: plannerFromSharpResponsive(config), config: DEFAULT_IMAGE_CONFIG, includeOriginal };
  }
  return { plan: (source, dims) => variantsFor(source, dims, config), config, includeOriginal: false };
}

async function contentsOf(file: Vinyl, config: Pick<ImageConfig, 'maxPixels'>): Promise<Buffer> {
  if (file.isBuffer()) return file.contents;
  if (file.isStream()) {
    throw new SourceError(file.relative, 'received a stream, not a buffer', {
      hint: 'read sources with `src(glob, { encoding: false })` (streaming mode is not supported)',
    });
  }
  return readSourceFile(toKey(file.relative), file.path, config);
}

export function responsive(options: ResponsiveOptions = {}) {
  const { plan, config, includeOriginal } = plannerFor(options.config ?? DEFAULT_IMAGE_CONFIG);
  const limit = options.concurrency ?? defaultConcurrency();
  let inFlight = 0;
  let resumeIntake: (() => void) | null = null;
  let finish: (() => void) | null = null;

  async function processFile(stream: Transform, file: PlannedVinyl): Promise<void> {
    const source = parseSourcePath(file.relative, config.sourceSuffix);
    let input: Buffer = Buffer.alloc(0);
    try {
      const badName = badSourceName(source.rel, config.sourceSuffix);
      if (badName) throw badName;
      input = await contentsOf(file, config);
      const info = await probeSource(source.rel, input, config);
      const only = file[ONLY_KEYS];
      const wanted = plan(source, info).filter((v) => !only || only.has(v.key));
      const rendered = await renderVariants(input, info, wanted, config.maxPixels);
      const sha256 = file.sha256 ?? sha256Of(input);
      const variants = rendered.map(({ variant, data, width, height, passthrough }): ManifestVariant => {
        const cacheKey = variantCacheKey(sha256, variant, ENCODER_VERSION);
        const output = new Vinyl({ cwd: file.cwd, base: file.base, path: join(file.base, variant.key), contents: data });
        stream.push(Object.assign(output, { [CACHE_KEY]: cacheKey }));
        return {
          size: variant.size, format: variant.format, key: variant.key, width, height, bytes: data.length,
          // A hi-res published as the source is the source's bytes: its SHA-256 is known.
          contentType: variant.contentType, ...(data === input ? { md5: md5Of(data), sha256 } : digestsOf(data)), cacheKey,
          ...(passthrough && variant.format === 'jpeg' ? { passthrough: passthrough.path } : {}),
        };
      });
      if (includeOriginal) stream.push(file);
      const passthrough = rendered.find((r) => r.passthrough && r.variant.format === 'jpeg')?.passthrough;
      options.onSource?.({ rel: source.rel, info, bytes: input.length, sha256, variants, passthrough });
    } catch (error) {
      const failure = sourceFailure(source.rel, error, input, config);
      if (options.onError) options.onError(failure);
      else stream.emit('error', failure);
    }
  }

  return through2.obj(
    function transform(file: PlannedVinyl, _encoding, callback) {
      if (file.isDirectory()) { callback(); return; } // a **/* glob matches folders too
      inFlight += 1;
      void processFile(this, file).finally(() => {
        inFlight -= 1;
        // Clear before calling: the callback may synchronously hand us the next file, which can park a new one.
        const resume = resumeIntake;
        resumeIntake = null;
        resume?.();
        if (inFlight === 0) finish?.();
      });
      if (inFlight < limit) callback();
      else resumeIntake = () => callback();
    },
    function flush(callback) {
      if (inFlight === 0) callback();
      else finish = () => callback();
    },
  );
}
