import { secretValues } from '../lib/config/environment';
import { ConfigError, InterruptedError, RunFailedError, UsageError } from '../lib/errors';
import { printReport, withBucket } from './bucket-session';
import { reportsDir } from './reports-dir';
import { flagHelp, flagsFor } from './flag-tables';
import { runTask } from './outside-domain';

/** `gulp purge`: purge the CDN's copies of what a release changed, or of the URLs a file lists (a purge that failed, redone). */
export function purge(): Promise<void> {
  return runTask(runPurgeTask);
}

async function runPurgeTask(): Promise<void> {
  const flags = flagsFor('purge');
  if (Boolean(flags.release) === Boolean(flags.urls)) throw new UsageError('give --release <id|previous|latest> or --urls <file> (one of them)', 'e.g. `gulp purge --env production --release latest`');
  await withBucket(flags, async ({ env, opened }) => {
    const { readPurgeList } = require('../lib/edge/purge-list') as typeof import('../lib/edge/purge-list');
    const edge = require('../lib/edge/purge-changes') as typeof import('../lib/edge/purge-changes');
    const { formatPurgePlan, writePurgeReport } = require('../lib/edge/purge-report') as typeof import('../lib/edge/purge-report');
    if (!env.store) {
      process.stdout.write('nothing to purge: the embedded bucket has no CDN in front of it (purge is for --env staging or production)\n');
      return;
    }
    const publicBase = opened.publicBase;
    if (!publicBase) throw new ConfigError('gulp purge needs R2_PUBLIC_DOMAIN: the URLs to purge are under it');
    if (!env.purge && !flags['dry-run']) {
      throw new ConfigError('gulp purge needs CLOUDFLARE_PURGE_TOKEN and CLOUDFLARE_ZONE_ID', 'a token with Zone → Cache Purge → Purge on the zone of R2_PUBLIC_DOMAIN (see "The edge" in README.md)');
    }
    let urls: string[];
    let source: string;
    if (flags.urls) {
      urls = await readPurgeList(flags.urls, publicBase);
      source = flags.urls;
    } else {
      const { resolveRelease } = require('../lib/restore/run-rollback') as typeof import('../lib/restore/run-rollback');
      const { publicUrl } = require('../lib/verify/public-check') as typeof import('../lib/verify/public-check');
      const { target } = await resolveRelease(opened.store, flags.release as string);
      const { created, updated, retagged, deleted } = target.changes;
      urls = edge.changedPublicKeys({ written: [...created, ...updated, ...retagged], deleted }).map((key) => publicUrl(publicBase, key));
      source = `release ${target.id}`;
    }
    if (flags['dry-run']) {
      process.stdout.write(`${formatPurgePlan(urls, publicBase, env.purge, source)}\n`);
      return;
    }
    const { purgeLog } = require('./cdn-purge') as typeof import('./cdn-purge');
    const { watchInterrupt } = require('../lib/util/interrupt') as typeof import('../lib/util/interrupt');
    const interrupt = watchInterrupt();
    const result = await edge.purgeUrls(urls, publicBase, { settings: env.purge, log: purgeLog, signal: interrupt }).finally(() => interrupt.dispose());
    const report = { environment: env.name, source, purge: result, ok: result.status !== 'failed' };
    const path = await writePurgeReport(report, reportsDir(flags), secretValues());
    const lines = edge.formatPurge(result);
    printReport(flags, report, path, lines.length > 0 ? lines.join('\n') : `nothing to purge: ${source} lists no public URL`);
    if (result.stopped) {
      throw new InterruptedError(`the purge of ${source} was stopped by Ctrl-C with ${result.unpurged.length} of ${result.changed.length} URL(s) left`,
        `run \`gulp purge --env ${env.name} --urls ${path ?? '<report>'}\` to purge them`);
    }
    // Purging was this command's whole job: a failure is exit 1, like any command that did not do what it was asked.
    if (result.status === 'failed') {
      throw new RunFailedError(`the purge of ${source} failed for ${result.unpurged.length} of ${result.changed.length} URL(s): the CDN may serve them stale`,
        edge.redoAdvice(result, `gulp purge --env ${env.name} --urls ${path ?? flags.urls ?? '<report>'}`));
    }
  });
}

purge.description = 'Purge the CDN (Cloudflare) copies of the public URLs a release changed (--release) or a file lists (--urls: a report whose purge failed, or one URL per line): URL by URL, by prefix above cdn.purgeByPrefixAbove';
purge.flags = flagHelp('purge');
