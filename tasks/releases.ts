import { flagHelp, flagsFor } from './flag-tables';
import { RunFailedError } from '../lib/errors';
import { confirmApply, withBucket } from './bucket-session';
import type { FlagValue } from './flags';
import { outsideDomain } from './outside-domain';

/** `gulp releases`: the recorded releases, newest first. */
export function releases(): Promise<void> {
  return outsideDomain(runReleasesTask);
}

async function runReleasesTask(): Promise<void> {
  const flags = flagsFor('releases');
  if (flags['move-history']) return moveHistory(flags);
  await withBucket(flags, async ({ opened }) => {
    const store = require('../lib/releases/release-store') as typeof import('../lib/releases/release-store');
    const { formatReleases, summarizeRelease } = require('../lib/restore/restore-report') as typeof import('../lib/restore/restore-report');
    const { readSyncState } = require('../lib/sync/state-record') as typeof import('../lib/sync/state-record');
    const [ids, latest, state] = await Promise.all([store.releaseIds(opened.store), store.readLatest(opened.store), readSyncState(opened.store)]);
    const shown = await store.readReleases(opened.store, ids.slice(0, flags.limit as number));
    const orphans = new Set(store.unpublishedIds(ids, latest.pointer?.id));
    const rows = shown.map((r) => ({ ...summarizeRelease(r), latest: r.id === latest.pointer?.id, unpublished: orphans.has(r.id) }));
    const unreleased = state.unreleased === true && ids.length > 0;
    if (flags.json) process.stdout.write(`${JSON.stringify({ total: ids.length, latest: latest.pointer?.id, unreleased, releases: rows })}\n`);
    else process.stdout.write(`${formatReleases(rows, ids.length, unreleased)}\n`);
  });
}
/** `--move-history`: plan, confirm, then move the images' bucket's history into R2_ARCHIVE_BUCKET. */
async function moveHistory(flags: Record<string, FlagValue>): Promise<void> {
  await withBucket(flags, async ({ env, opened, concurrency }) => {
    const move = require('../lib/releases/move-history') as typeof import('../lib/releases/move-history');
    let outcome = await move.moveHistory(opened.store, { dryRun: true, concurrency });
    if (flags['dry-run'] !== true && outcome.plan.actions.length > 0) {
      process.stdout.write(`${move.formatMove(outcome)}\n`);
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
  });
}

releases.description = 'List the releases recorded in the bucket, newest first: id, time, objects, bytes, what changed';
releases.flags = flagHelp('releases');
