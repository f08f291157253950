import { loadDotenvFile, resolveEnvironment, secretValues, type EnvironmentName } from '../lib/config/environment';
import { RunFailedError, UsageError } from '../lib/errors';
import type { DeleteLimits } from '../lib/plan/sync-plan';
import { flagHelp, flagsFor } from './flag-tables';
import { outsideDomain } from './outside-domain';

function parseMaxDelete(value: string): DeleteLimits {
  const limits = { count: Number.POSITIVE_INFINITY, percent: 100 };
  for (const part of value.split(',').map((p) => p.trim())) {
    const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(part);
    if (!match) throw new UsageError(`--max-delete "${value}": use a count (500), a percentage (5%), or both (500,5%)`);
    if (match[2]) limits.percent = Number(match[1]);
    else limits.count = Number(match[1]);
  }
  return limits;
}

/** `gulp sync`: diff-sync dist/ to the bucket by content. */
export function sync(): Promise<void> {
  return outsideDomain(runSync);
}

async function runSync(): Promise<void> {
  const flags = flagsFor('sync');
  const limits = parseMaxDelete(flags['max-delete'] as string);
  loadDotenvFile();
  const env = resolveEnvironment(flags.env as EnvironmentName);
  const { AdaptiveLimiter } = require('../lib/execute/adaptive-limiter') as typeof import('../lib/execute/adaptive-limiter');
  const { openStore } = require('../lib/sync/open-store') as typeof import('../lib/sync/open-store');
  const { runSync } = require('../lib/sync/run-sync') as typeof import('../lib/sync/run-sync');
  const { slugsFromChangeList } = require('../lib/sync/object-scope') as typeof import('../lib/sync/object-scope');
  const report = require('../lib/sync/sync-report') as typeof import('../lib/sync/sync-report');
  const concurrency = (flags.concurrency as number | undefined) ?? 16;
  const limiter = new AdaptiveLimiter(concurrency);
  const opened = await openStore(env, { limiter });
  try {
    if (opened.localDirectory && !flags.json) {
      process.stdout.write(`embedded local bucket "${env.bucket}" (data in ${opened.localDirectory}); public URLs: ${opened.publicBase}/<key>\n`);
    }
    const changed = flags['changed-files'] ? await slugsFromChangeList(flags['changed-files'] as string) : undefined;
    const outcome = await runSync(opened.store, {
      dist: flags.dest as string, cacheControl: env.cacheControl, delete: flags.delete === true, limits,
      dryRun: flags['dry-run'] === true, concurrency, limiter, quiet: flags.json === true,
      scope: { type: flags.type as 'album' | 'artist' | undefined, size: flags.size as string | undefined, filter: flags.filter as RegExp | undefined, slugs: changed },
    });
    const result = report.syncReport(outcome, { environment: env.name, bucket: env.bucket, dryRun: flags['dry-run'] === true });
    const path = await report.writeSyncReport(result, 'reports', secretValues());
    if (flags.json) process.stdout.write(`${report.scrub(JSON.stringify({ ...result, report: path }), secretValues())}\n`);
    else {
      process.stdout.write(`${report.formatPlan(outcome)}\n`);
      if (outcome.result) process.stdout.write(`${report.formatOutcome(result)}\nreport: ${path}\n`);
      else process.stdout.write('dry run: nothing was changed\n');
    }
    if (!result.ok) {
      throw new RunFailedError(`sync to ${env.name} failed for ${result.failures.length} object(s)${result.stopped ? ` (${result.stopped})` : ''}`,
        'fix what the failures name and run `gulp sync` again: only what is still missing is sent');
    }
  } finally {
    await opened.close();
  }
}
sync.description = 'Diff-sync dist/ to the bucket by content (MD5 = ETag): uploads only what changed; header-only changes are copies';
sync.flags = flagHelp('sync');
