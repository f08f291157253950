import { RunFailedError } from '../lib/errors';
import { printableKey } from '../lib/validate/object-key';
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
    const [{ records, strays }, latest, state] = await Promise.all([store.listReleaseKeys(opened.store), store.readLatest(opened.store), readSyncState(opened.store)]);
    const ids = records.map((r) => r.id);
    const read = await store.readReleasesOrProblems(opened.store, ids.slice(0, flags.limit));
    const orphans = new Set(store.unpublishedIds(ids, latest.pointer?.id));
    const rows = read.flatMap((r) => ('problem' in r ? [] : [{ ...summarizeRelease(r), latest: r.id === latest.pointer?.id, unpublished: orphans.has(r.id) }]));
    const problems = recordProblems(read, strays, latest.damaged);
    const unreleased = state.unreleased === true && ids.length > 0;
    if (flags.json) process.stdout.write(`${JSON.stringify({ total: ids.length, latest: latest.pointer?.id, unreleased, releases: rows, problems })}\n`);
    else process.stdout.write(`${[formatReleases(rows, ids.length - (read.length - rows.length), unreleased), ...problems.map((p) => `x ${p}`)].join('\n')}\n`);
    if (problems.length > 0) {
      throw new RunFailedError(`${problems.length} record(s) under _releases/ cannot be used (listed above with x)`,
        'they are never restored or trusted; `gulp restore <id> --yes` makes a readable release the latest again');
    }
  });
}
/** What is wrong under `_releases/`: damaged records, keys that are not records, a damaged pointer. */
function recordProblems(read: readonly ({ id: string; problem: string } | object)[], strays: readonly string[], pointer?: string): string[] {
  return [
    ...(pointer ? [`${pointer} (no release counts as the latest until a sync or restore replaces it)`] : []),
    ...read.flatMap((r) => ('problem' in r ? [r.problem] : [])),
    ...strays.map((key) => `${printableKey(key)} is not a release record (ignored)`),
  ];
}

releases.description = 'List the releases recorded in the bucket, newest first: id, time, objects, bytes, what changed';
releases.flags = flagHelp('releases');
