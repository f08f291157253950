import { flagHelp, flagsFor } from './flag-tables';
import { withBucket } from './bucket-session';
import { runTask } from './outside-domain';

/** `gulp releases`: the recorded releases, newest first. */
export function releases(): Promise<void> {
  return runTask(runReleasesTask);
}

async function runReleasesTask(): Promise<void> {
  const flags = flagsFor('releases');
  await withBucket(flags, async ({ opened }) => {
    const store = require('../lib/releases/release-store') as typeof import('../lib/releases/release-store');
    const { formatReleases, summarizeRelease } = require('../lib/restore/restore-report') as typeof import('../lib/restore/restore-report');
    const { readSyncState } = require('../lib/sync/state-record') as typeof import('../lib/sync/state-record');
    const [ids, latest, state] = await Promise.all([store.releaseIds(opened.store), store.readLatest(opened.store), readSyncState(opened.store)]);
    const shown = await store.readReleases(opened.store, ids.slice(0, flags.limit));
    const orphans = new Set(store.unpublishedIds(ids, latest.pointer?.id));
    const rows = shown.map((r) => ({ ...summarizeRelease(r), latest: r.id === latest.pointer?.id, unpublished: orphans.has(r.id) }));
    const unreleased = state.unreleased === true && ids.length > 0;
    if (flags.json) process.stdout.write(`${JSON.stringify({ total: ids.length, latest: latest.pointer?.id, unreleased, releases: rows })}\n`);
    else process.stdout.write(`${formatReleases(rows, ids.length, unreleased)}\n`);
  });
}
releases.description = 'List the releases recorded in the bucket, newest first: id, time, objects, bytes, what changed';
releases.flags = flagHelp('releases');
