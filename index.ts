/**
 * The package's entry: the gulp tasks gulpfile.ts registers, for another project's gulpfile, and the
 * library calls behind `gulp build`. Importing it stays cheap (`gulp --tasks` loads it): sharp and the
 * S3 SDK are loaded only when a task or call needs them, as in the tasks themselves.
 */
import type { BuildOptions, BuildSummary } from './lib/images/build';
import type { ResponsiveOptions } from './lib/images/responsive';
import { pipelineTask } from './tasks/pipeline';

export { build } from './tasks/build';
export { cost } from './tasks/cost';
export { mirror } from './tasks/mirror';
export { prune } from './tasks/prune';
export { purge } from './tasks/purge';
export { releases } from './tasks/releases';
export { report } from './tasks/report';
export { restore } from './tasks/restore';
export { serve } from './tasks/serve';
export { setup } from './tasks/setup';
export { sync } from './tasks/sync';
export { verify } from './tasks/verify';

/** A gulp task as gulp-cli lists it: `gulp --tasks` prints its description and flags. */
export interface GulpTask {
  (done: (error?: unknown) => void): void;
  displayName?: string;
  description?: string;
  flags?: Record<string, string>;
}

/** The default task: build, sync, then verify (every flag of the three, checked before build starts). */
export const pipeline: GulpTask = pipelineTask;

export type { BuildOptions, BuildSummary } from './lib/images/build';
export type { ResponsiveOptions, SourceResult } from './lib/images/responsive';
export type { SharpResponsiveFormat, SharpResponsiveOptions } from './lib/images/sharp-responsive-options';
export type { CollectionType, Scope } from './lib/images/scan-sources';
export type { AvifOptions, Fit, ImageConfig, JpegOptions, OutputFormat, SizeSpec, WebpOptions } from './lib/images/config';
export type { ImageManifest, ManifestSource, ManifestVariant } from './lib/manifest/types';
export { DEFAULT_IMAGE_CONFIG, OUTPUT_FORMATS, PRESETS, validateImageConfig, withFormats, type PresetName } from './lib/images/config';
/** For the project's assets.config.ts: `export default defineConfig({ preset: 'russ-fm', publish: [...] })`. */
export { defineConfig, type AssetsConfigInput } from './lib/config/assets-config';
/** For the site's vite.config.ts: renders a missing size from public/ on demand, as its own middleware does today. */
export { russFmAssets } from './lib/serve/vite-plugin';
export { MANIFEST_FILE } from './lib/manifest/types';
export { AssetsError, ConfigError, InterruptedError, NotAppliedError, RunFailedError, SourceError, UsageError } from './lib/errors';

/**
 * `gulp build` as a call: scans `src`, renders what changed into `dest` and writes `<dest>/images.json`.
 * Per-source failures are collected in the summary (`failed`, `failures`), never thrown.
 */
export function buildImages(options: BuildOptions): Promise<BuildSummary> {
  return (require('./lib/images/build') as typeof import('./lib/images/build')).buildImages(options);
}

/** The human summary `gulp build` prints. */
export function formatBuildSummary(summary: BuildSummary): string {
  return (require('./lib/images/build-summary') as typeof import('./lib/images/build-summary')).formatBuildSummary(summary);
}

/** The responsive-images gulp plugin (read sources with `src(glob, { encoding: false })`). */
export function responsive(options?: ResponsiveOptions): ReturnType<typeof import('./lib/images/responsive').responsive> {
  return (require('./lib/images/responsive') as typeof import('./lib/images/responsive')).responsive(options);
}
