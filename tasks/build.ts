import { RunFailedError } from '../lib/errors';
import { DEFAULT_IMAGE_CONFIG, validateImageConfig, type OutputFormat } from '../lib/images/config';
import type { CollectionType } from '../lib/images/scan-sources';
import { flagHelp, flagsFor } from './flag-tables';
import { outsideDomain } from './outside-domain';

/** `gulp build`: responsive images from public/ into dist/, cached by content. */
export function build(): Promise<void> {
  return outsideDomain(runBuild);
}

async function runBuild(): Promise<void> {
  const flags = flagsFor('build');
  // Loaded here, not at the top: `gulp --tasks` and other tasks should not pay for sharp.
  const { buildImages } = require('../lib/images/build') as typeof import('../lib/images/build');
  const { defaultConcurrency } = require('../lib/images/responsive') as typeof import('../lib/images/responsive');
  const { formatBuildSummary } = require('../lib/images/build-summary') as typeof import('../lib/images/build-summary');
  const summary = await buildImages({
    src: flags.src as string,
    dest: flags.dest as string,
    cacheDir: flags['cache-dir'] as string,
    config: validateImageConfig({ ...DEFAULT_IMAGE_CONFIG, formats: flags.formats as OutputFormat[] }),
    concurrency: (flags.concurrency as number | undefined) ?? defaultConcurrency(),
    noCache: flags['no-cache'] === true,
    scope: { type: flags.type as CollectionType | undefined, filter: flags.filter as RegExp | undefined },
    quiet: flags.json === true,
    dryRun: flags['dry-run'] === true,
    allowEmpty: flags['allow-empty'] === true,
  });
  if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`${formatBuildSummary(summary)}\n`);
  if (summary.failed > 0 && flags['keep-going'] !== true) {
    throw new RunFailedError(`${summary.failed} of ${summary.sources} sources failed (listed above); every other source was built`,
      'fix or remove those files and run `gulp build` again, or pass --keep-going to accept the failures');
  }
}
build.description = 'Build responsive images (hi-res, medium, small, avatar) from public/ into dist/ with an image manifest';
build.flags = flagHelp('build');
