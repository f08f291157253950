import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RunFailedError } from '../lib/errors';
import { printable } from '../lib/util/printable';
import { loadAssetsConfig } from '../lib/config/load-assets-config';
import { withFormats } from '../lib/images/config';
import { parseShard } from '../lib/images/shard';
import { flagHelp, flagsFor, type TaskFlags } from './flag-tables';
import { MANIFEST_FILE, type ImageManifest } from '../lib/manifest/types';
import type { RunTracker } from '../lib/history/run-tracker';
import { reportsDir } from './reports-dir';
import { recorded, startRun } from './run-history';
import { runTask } from './outside-domain';
import { GIVEN } from './flags';
import { remoteBuildCache } from './remote-cache';

/** `gulp build`: responsive images from public/ into dist/, cached by content. */
export function build(): Promise<void> {
  return runTask(runBuild);
}

async function runBuild(): Promise<void> {
  const flags = flagsFor('build');
  const dir = reportsDir(flags);
  const tracker = startRun({ command: 'build', dir }, null);
  // A build that fails (a bad config included) is recorded too: the seed's first alert is a build failure.
  await recorded(tracker, dir, { environment: null }, () => buildAndNote(flags, tracker));
}

async function buildAndNote(flags: TaskFlags<'build'>, tracker: RunTracker | undefined): Promise<void> {
  const { image } = loadAssetsConfig();
  // Loaded here, not at the top: `gulp --tasks` and other tasks should not pay for sharp.
  const { buildImages } = require('../lib/images/build') as typeof import('../lib/images/build');
  const { defaultConcurrency } = require('../lib/images/responsive') as typeof import('../lib/images/responsive');
  const { formatBuildSummary } = require('../lib/images/build-summary') as typeof import('../lib/images/build-summary');
  let written: ImageManifest | undefined;
  // Offline unless given --env: then the bucket's latest release is the remote build cache.
  const remote = flags.env !== undefined && !flags['no-cache'] ? await remoteBuildCache({ env: flags.env, [GIVEN]: new Set(['env']) }) : undefined;
  const summary = await buildImages({
    src: flags.src,
    dest: flags.dest,
    cacheDir: flags['cache-dir'],
    config: flags.formats ? withFormats(image, flags.formats) : image,
    concurrency: flags.concurrency ?? defaultConcurrency(),
    noCache: flags['no-cache'],
    scope: { type: flags.type, filter: flags.filter, shard: flags.shard === undefined ? undefined : parseShard(flags.shard) },
    quiet: flags.json,
    dryRun: flags['dry-run'],
    allowEmpty: flags['allow-empty'],
    remote,
    onManifest: (manifest) => { written = manifest; },
  });
  if (tracker && !flags['dry-run']) {
    const { objectFigures, sourceFigures } = require('../lib/history/figures') as typeof import('../lib/history/figures');
    tracker.note({ sources: sourceFigures(summary, written), objects: written ? objectFigures(written) : undefined });
  }
  warnOtherManifests(flags.dest, flags.shard !== undefined);
  if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`${formatBuildSummary(summary)}\n`);
  if (summary.failed > 0 && !flags['keep-going']) {
    // The message names the first files itself: it also goes to the history, the alert and a webhook, where nothing is "above".
    const named = summary.failures.slice(0, 3).map((f) => `${printable(f.file)} (${clip(printable(f.reason), 120)})`).join('; ');
    const more = summary.failures.length > 3 ? `; and ${summary.failures.length - 3} more, listed above` : '';
    throw new RunFailedError(`${summary.failed} of ${summary.sources} sources failed: ${named}${more}; every other source was built`,
      'fix or remove those files and run `gulp build` again, or pass --keep-going to accept the failures');
  }
}
const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A folder holding both kinds of manifest is one sync and verify refuse: said now, not at the sync. */
function warnOtherManifests(dest: string, sharded: boolean): void {
  const { hasShardManifests } = require('../lib/bucket/shard-manifests') as typeof import('../lib/bucket/shard-manifests');
  const other = sharded ? existsSync(join(dest, MANIFEST_FILE)) && `${MANIFEST_FILE} (a whole build)` : hasShardManifests(dest) && 'shard manifests (images.shard-i-of-n.json)';
  if (other) process.stderr.write(`warning: ${dest} also holds ${other}: sync and verify refuse a folder with both; remove the ones that are not this build\n`);
}
build.description = 'Build the images assets.config.ts names (russ.fm: hi-res as is, medium, artist avatar) from public/ into dist/, with an image manifest';
build.flags = flagHelp('build');
