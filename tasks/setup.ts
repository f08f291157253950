import { secretValues } from '../lib/config/environment';
import { backupSettings } from '../lib/config/backup-settings';
import { InterruptedError, RunFailedError } from '../lib/errors';
import { printReport, resolveTarget, withBucket } from './bucket-session';
import { flagHelp, flagsFor } from './flag-tables';
import { runTask } from './outside-domain';
import { reportsDir } from './reports-dir';

/** `gulp setup`: apply the bucket's CORS from assets.config.ts and check what setup cannot set. */
export function setup(): Promise<void> {
  return runTask(runSetupTask);
}

async function runSetupTask(): Promise<void> {
  const flags = flagsFor('setup');
  const { adminCredentials, configAccess } = require('../lib/setup/config-access') as typeof import('../lib/setup/config-access');
  resolveTarget(flags); // reads .env.<env>, where the admin keys may be
  // The backup's admin token is its own (BACKUP_R2_ADMIN_…): the primary's is never sent to another store.
  const settings = flags.env === 'backup' ? backupSettings(process.env) : process.env;
  adminCredentials(settings); // half an admin key pair stops here, before the bucket is opened
  const adminKey = settings.R2_ADMIN_ACCESS_KEY_ID?.trim();
  if (adminKey && adminKey === settings.R2_ACCESS_KEY_ID?.trim()) {
    process.stderr.write('note: R2_ADMIN_ACCESS_KEY_ID is the sync key R2_ACCESS_KEY_ID: the token that deploys then has admin rights (it can delete buckets); give sync its own Object Read & Write token\n');
  }
  await withBucket(flags, async ({ env, opened }) => {
    const { runSetup } = require('../lib/setup/run-setup') as typeof import('../lib/setup/run-setup');
    const { formatSetup, writeSetupReport } = require('../lib/setup/setup-report') as typeof import('../lib/setup/setup-report');
    const { scrub } = require('../lib/util/run-report') as typeof import('../lib/util/run-report');
    const embedded = opened.localDirectory !== undefined;
    const { watchInterrupt } = require('../lib/util/interrupt') as typeof import('../lib/util/interrupt');
    const access = configAccess(env, opened.config, embedded, settings);
    const interrupt = watchInterrupt();
    let report;
    try {
      report = await runSetup({ env, store: opened.store, publicBase: opened.publicBase, embedded, access }, { dryRun: flags['dry-run'], signal: interrupt });
    } finally { interrupt.dispose(); }
    const path = await writeSetupReport(report, reportsDir(flags), secretValues());
    printReport(flags, report, path, scrub(formatSetup(report), secretValues()));
    if (report.unchecked) {
      throw new InterruptedError(`setup stopped by Ctrl-C: not checked: ${report.unchecked.join(', ')}`,
        `the lines above say what was done (the credentials line says whether its probe object was removed); run \`gulp setup --env ${env.name}\` again to check the rest`);
    }
    const failures = report.items.filter((item) => item.ok === false);
    if (failures.length > 0) {
      throw new RunFailedError(`setup: ${failures.length} check(s) failed: ${failures.map((item) => item.name).join(', ')}`,
        `each ✗ line above says how to fix it; then run \`gulp setup --env ${env.name}\` again`);
    }
  }, { command: 'setup', dir: reportsDir(flags) });
}

setup.description = 'Bring the bucket to assets.config.ts: apply its CORS (needs R2_ADMIN_ACCESS_KEY_ID/R2_ADMIN_SECRET_ACCESS_KEY off development), then check the sync credentials, the public domain (200, Cache-Control, CORS per origin), that records are not public, and lifecycle rules';
setup.flags = flagHelp('setup');
