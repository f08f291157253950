import { RunFailedError } from '../lib/errors';
import { printableKey } from '../lib/validate/object-key';
import { flagHelp, flagsFor, type TaskFlags } from './flag-tables';
import { confirmApply, withBucket } from './bucket-session';
import { runTask } from './outside-domain';
import { reportsDir } from './reports-dir';

/** `gulp releases`: the recorded releases, newest first. */
export function releases(): Promise<void> {
  return runTask(runReleasesTask);
}

async function runReleasesTask(): Promise<void> {
  const flags = flagsFor('releases');
  if (flags['move-history']) return moveHistory(flags);
  await withBucket(flags, async ({ opened }) => {
    const store = require('../lib/releases/release-store') as typeof import('../lib/releases/release-store');
    const { formatReleases, summarizeRelease } = require('../lib/restore/restore-report') as typeof import('../lib/restore/restore-report');
    const { readSyncState } = require('../lib/bucket/state-record') as typeof import('../lib/bucket/state-record');
    const [{ records, strays }, latest, state] = await Promise.all([store.listReleaseKeys(opened.store), store.readLatest(opened.store), readSyncState(opened.store)]);
    const ids = records.map((r) => r.id);
    const read = await store.readReleasesOrProblems(opened.store, ids.slice(0, flags.limit));
    const orphans = new Set(store.unpublishedIds(ids, latest.pointer?.id));
    const rows = read.flatMap((r) => ('problem' in r ? [] : [{ ...summarizeRelease(r), latest: r.id === latest.pointer?.id, unpublished: orphans.has(r.id) }]));
    const problems = recordProblems(read, strays, latest.damaged?.message);
    const unreleased = state.unreleased === true && ids.length > 0;
    if (flags.json) process.stdout.write(`${JSON.stringify({ total: ids.length, latest: latest.pointer?.id, unreleased, releases: rows, problems })}\n`);
    else process.stdout.write(`${[formatReleases(rows, ids.length - (read.length - rows.length), unreleased), ...problems.map((p) => `x ${p}`)].join('\n')}\n`);
    if (problems.length > 0) {
      throw new RunFailedError(`${problems.length} record(s) under _releases/ cannot be used (listed above with x)`,
        'they are never restored or trusted; `gulp restore <id> --yes` makes a readable release the latest again');
    }
  }, { command: 'releases', dir: reportsDir({}) });
}
/** What is wrong under `_releases/`: damaged records, keys that are not records, a damaged pointer. */
function recordProblems(read: readonly ({ id: string; problem: string } | object)[], strays: readonly { key: string; reason: string }[], pointer?: string): string[] {
  return [
    ...(pointer ? [`${pointer} (no release counts as the latest until a sync or restore replaces it)`] : []),
    ...read.flatMap((r) => ('problem' in r ? [r.problem] : [])),
    ...strays.map((stray) => `${printableKey(stray.key)} ${stray.reason} (ignored)`),
  ];
}

/** `--move-history`: plan, confirm, then move the images' bucket's history into R2_ARCHIVE_BUCKET. */
async function moveHistory(flags: TaskFlags<'releases'>): Promise<void> {
  await withBucket(flags, async ({ env, opened, concurrency }) => {
    const move = require('../lib/releases/move-history') as typeof import('../lib/releases/move-history');
    let outcome = await move.moveHistory(opened.store, { dryRun: true, concurrency });
    if (!flags['dry-run'] && outcome.plan.actions.length > 0) {
      process.stdout.write(`${move.formatMove(outcome, true)}\n`);
      await confirmApply(flags, 'history move', env.name);
      outcome = await move.moveHistory(opened.store, { dryRun: false, concurrency });
    }
    process.stdout.write(`${move.formatMove(outcome)}\n`);
    if (outcome.plan.conflicts.length > 0) {
      throw new RunFailedError('history not moved: the archive bucket already has a history of its own', 'keep one of the two: empty the archive bucket\'s _releases/, _archive/ and _state/ and run the move again, or unset R2_ARCHIVE_BUCKET');
    }
    if (outcome.result && (outcome.result.failures.length > 0 || outcome.result.stopped)) {
      throw new RunFailedError('history move incomplete: no original was deleted unless every copy was verified', 'run the same move again: it copies only what is still missing');
    }
  }, { command: 'releases', dir: reportsDir(flags) });
}

releases.description = 'List the releases recorded in the bucket, newest first: id, time, objects, bytes, what changed';
releases.flags = flagHelp('releases');
