/**
 * What every task that talks to a bucket does around its own work: read the environment, open the
 * store (the embedded local bucket in development), say where it is, close it, print the report.
 */
import { resolveEnvironment, secretValues, type Environment, type EnvironmentName } from '../lib/config/environment';
import { loadSettingsFiles, readSettings, remoteSettings, startedEnvironment } from '../lib/config/settings-files';
import { resolveBackupEnvironment } from '../lib/config/backup-settings';
import { checkTarget, isCi } from '../lib/config/target-rule';
import { NotAppliedError, UsageError } from '../lib/errors';
import type { AdaptiveLimiter } from '../lib/execute/adaptive-limiter';
import type { DeleteLimits } from '../lib/plan/sync-plan';
import type { OpenStore } from '../lib/bucket/open-store';
import type { RunTracker } from '../lib/history/run-tracker';
import { GIVEN, wasGiven } from './flags';
import { recorded, startRun, type HistoryTarget } from './run-history';

export interface BucketSession {
  readonly env: Environment;
  readonly opened: OpenStore;
  readonly limiter: AdaptiveLimiter;
  readonly concurrency: number;
  /** This run's record in the making (none for a dry run): tasks note their figures on it. */
  readonly history?: RunTracker;
}

/** The flags every bucket task has (typed from the flag tables). */
export interface BucketFlags {
  readonly env: EnvironmentName; readonly concurrency?: number; readonly json: boolean; readonly 'move-history'?: boolean;
  readonly [GIVEN]: ReadonlySet<string>;
}

/** --max-delete's value; `allowMass`: --allow-mass-delete was given. */
export function parseMaxDelete(value: string, allowMass = false): DeleteLimits {
  const limits = { count: Number.POSITIVE_INFINITY, percent: 100, allowMass };
  for (const part of value.split(',').map((p) => p.trim())) {
    const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(part);
    if (!match) throw new UsageError(`--max-delete "${value}": use a count (500), a percentage (5%), or both (500,5%)`);
    if (match[2]) limits.percent = Number(match[1]);
    else limits.count = Number(match[1]);
  }
  return limits;
}

const targets = new Map<EnvironmentName, Environment>();

/**
 * The environment a bucket command targets, read once per command (`gulp` checks it before build, then
 * sync and verify use it): the settings files, the rule for a CI run that forgot --env, the settings
 * themselves, and the one line saying R2 settings were found but not used.
 */
export function resolveTarget(flags: Pick<BucketFlags, 'env' | typeof GIVEN>): Environment {
  const known = targets.get(flags.env);
  if (known) return known;
  loadSettingsFiles(flags.env);
  const started = startedEnvironment();
  const explicit = wasGiven(flags, 'env');
  // The other environments' files matter only to the CI rule for a run without --env: read them only then
  // (an unreadable one must not stop any other run).
  const note = checkTarget({ explicit, started, settings: process.env, remote: !explicit && isCi(started) ? remoteSettings() : undefined });
  const { loadAssetsConfig } = require('../lib/config/load-assets-config') as typeof import('../lib/config/load-assets-config');
  const assets = loadAssetsConfig();
  // Each environment from its own settings (the process's as it started, then .env.<env>, then .env), not
  // from process.env: a command naming two (gulp mirror) has read the other's files into it already.
  const own = readSettings(flags.env, '.', started);
  const env = flags.env === 'backup'
    ? resolveBackupEnvironment(own, assets.edge.production, assets.cdn)
    : resolveEnvironment(flags.env, own, assets.edge[flags.env], assets.cdn);
  if (note) process.stderr.write(`note: ${note}\n`);
  targets.set(flags.env, env);
  return env;
}

/** Opens the bucket for `work` and closes it after; with `history`, the run is recorded (before the bucket closes). */
export async function withBucket<T>(flags: BucketFlags, work: (session: BucketSession) => Promise<T>, history?: HistoryTarget): Promise<T> {
  const env = resolveTarget(flags);
  const tracker = startRun(history, env.name);
  // Loaded here, not at the top: `gulp build` and `gulp --tasks` never pay for the S3 SDK.
  const { AdaptiveLimiter } = require('../lib/execute/adaptive-limiter') as typeof import('../lib/execute/adaptive-limiter');
  const { openStore } = require('../lib/bucket/open-store') as typeof import('../lib/bucket/open-store');
  const concurrency = flags.concurrency ?? 16;
  const limiter = new AdaptiveLimiter(concurrency);
  const opened = await openStore(env, { limiter, onRequest: tracker?.meter.count });
  try {
    if (opened.servedBy !== undefined && !flags.json) {
      process.stdout.write(`embedded local bucket "${env.bucket}" kept up by \`gulp serve\` (pid ${opened.servedBy}; data in ${opened.localDirectory}); public URLs: ${opened.publicBase}/<key>\n`);
    } else if (opened.localDirectory && !flags.json) {
      const { LOCAL_BUCKET_PORT } = require('../lib/bucket/open-store') as typeof import('../lib/bucket/open-store');
      const fallback = opened.publicBase?.includes(`:${LOCAL_BUCKET_PORT}/`) ? '' : ` (port ${LOCAL_BUCKET_PORT} is taken, perhaps by another command: these URLs last only while this one runs)`;
      process.stdout.write(`embedded local bucket "${env.bucket}" (data in ${opened.localDirectory}); public URLs: ${opened.publicBase}/<key>${fallback}\n`);
    } else if (!flags.json && env.store) {
      // Before the plan: a first production run is checked against this line (which bucket, which account).
      process.stdout.write(`--env ${env.name}: bucket "${env.bucket}" at ${env.store.endpoint}${env.archiveBucket ? `, records in "${env.archiveBucket}"` : ''}\n`);
    }
    if (!flags['move-history']) await noteHistoryLeftBehind(opened.store);
    const where = { environment: env.name, store: env.store ? opened.store : undefined };
    return await recorded(tracker, history?.dir, where, () => work({ env, opened, limiter, concurrency, history: tracker }));
  } finally {
    await opened.close();
  }
}

/** R2_ARCHIVE_BUCKET set while the images' bucket still holds the history: said on stderr by every command (it reads history). */
async function noteHistoryLeftBehind(store: OpenStore['store']): Promise<void> {
  const { historyLeftBehind, formatHistoryLeftBehind } = require('../lib/releases/history-location') as typeof import('../lib/releases/history-location');
  const left = await historyLeftBehind(store).catch(() => undefined); // advice only: the command itself reports an unreadable bucket
  if (left) process.stderr.write(`note: ${formatHistoryLeftBehind(left)}\n`);
}

/** The report as JSON on stdout (--json, secrets scrubbed) or the human text and where the report went. */
export function printReport(flags: Pick<BucketFlags, 'json'>, report: object, path: string | undefined, human: string): void {
  const { scrub } = require('../lib/util/run-report') as typeof import('../lib/util/run-report');
  if (flags.json) process.stdout.write(`${scrub(JSON.stringify({ ...report, report: path }), secretValues())}\n`);
  else process.stdout.write(`${human}${path ? `\nreport: ${path}` : ''}\n`);
}

/** Before applying a shown plan: `--yes`, or a "y" typed at a terminal; off a terminal without --yes, refused. */
export async function confirmApply(flags: { readonly yes: boolean }, what: string, environment: string): Promise<void> {
  if (flags.yes === true) return;
  if (!process.stdin.isTTY) throw new UsageError(`not applying the ${what} without --yes (not an interactive terminal)`, 'review the plan above, then rerun with --yes');
  const { createInterface } = require('node:readline/promises') as typeof import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    if (!/^y(es)?$/i.test((await rl.question(`apply this ${what} to ${environment}? [y/N] `)).trim())) throw new NotAppliedError(`${what} not applied: nothing was changed`, 'answer y to apply it, or pass --yes');
  } finally { rl.close(); }
}
