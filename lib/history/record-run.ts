/**
 * Adds a run to the history: one object per run (R2 takes one write a second per key, and shard jobs run
 * at once), written only where no object is, carrying the build records that waited for it in the local
 * folder. A no-change sync thereby spends one small PUT on its history, nothing more.
 */
import { messageOf } from '../errors';
import { printable } from '../util/printable';
import type { HistoryPlace } from './history-place';
import { readBatches } from './read-history';
import type { HistoryBatch, RunRecord } from './types';

export interface Recorded {
  /** Build records carried up from the local folder. */
  readonly carried: number;
  readonly skipped: string[];
}

/** Writes `record` (and the pending build records in `local`, removed once written) to `place`. */
export async function recordRun(place: HistoryPlace, record: RunRecord, local?: HistoryPlace): Promise<Recorded> {
  const skipped: string[] = [];
  // The local folder must never cost the run its own record (a file there, an unreadable folder): without it, the run goes up alone.
  const pending = local ? await readBatches(local, 'pending', skipped).catch((error: unknown) => {
    skipped.push(`the builds waiting in ${local.description}pending/ (${printable(messageOf(error))})`);
    return new Map<string, HistoryBatch>();
  }) : new Map<string, HistoryBatch>();
  const carried = [...pending.values()].flatMap((batch) => batch.runs);
  const batch: HistoryBatch = { version: 1, runs: [record, ...carried] };
  if (!(await place.write('runs', `${record.id}.json`, batch, 'absent'))) {
    throw new Error(`a history object named ${record.id}.json is already there`);
  }
  await local?.remove('pending', [...pending.keys()]);
  return { carried: carried.length, skipped };
}

/** Builds that wait for a sync: past this many (builds run again and again, never synced), the oldest go. */
export const MAX_PENDING = 100;

/** A build's record, kept in the local folder until the next sync carries it up (or, in development, files it). */
export async function keepPending(local: HistoryPlace, record: RunRecord): Promise<void> {
  await local.write('pending', `${record.id}.json`, { version: 1, runs: [record] } satisfies HistoryBatch, 'absent');
  // Names are run ids, which sort by time.
  const names = (await local.names('pending')).sort();
  await local.remove('pending', names.slice(0, Math.max(0, names.length - MAX_PENDING)));
}
