/** Reading a run history back: the month rollups and the batches not rolled up yet, each parsed once. */
import { BadRecordError } from '../errors';
import type { HistoryArea, HistoryPlace } from './history-place';
import { parseHistoryBatch, parseMonthRollup } from './run-record-schema';
import type { HistoryBatch, MonthRollup, RunRecord } from './types';

export interface HistoryRead {
  /** Every run once (by id), oldest first. */
  readonly runs: RunRecord[];
  /** Objects that are not history of ours: named and skipped, never fatal (the history is advice, not data). */
  readonly skipped: string[];
}

/** The batches of one area, by name; unreadable or malformed ones go to `skipped`. */
export async function readBatches(place: HistoryPlace, area: HistoryArea, skipped: string[]): Promise<Map<string, HistoryBatch>> {
  const batches = new Map<string, HistoryBatch>();
  for (const name of await place.names(area)) {
    const parsed = await readParsed(place, area, name, parseHistoryBatch, skipped);
    if (parsed) batches.set(name, parsed.value);
  }
  return batches;
}

export async function readMonth(place: HistoryPlace, name: string, skipped: string[]): Promise<{ value: MonthRollup; tag: string } | undefined> {
  return readParsed(place, 'months', name, parseMonthRollup, skipped);
}

async function readParsed<T>(
  place: HistoryPlace, area: HistoryArea, name: string, parse: (text: string, where: string) => T, skipped: string[],
): Promise<{ value: T; tag: string } | undefined> {
  const where = `${place.description}/${area}/${name}`;
  try {
    const found = await place.read(area, name);
    return found && { value: parse(found.text, where), tag: found.tag };
  } catch (error) {
    if (!(error instanceof BadRecordError)) throw error;
    skipped.push(error.message);
    return undefined;
  }
}

/** Every run: the months rolled up, then the batches since (a run in both, its rollup not yet cleaned up, counts once). */
export async function readHistory(place: HistoryPlace): Promise<HistoryRead> {
  const skipped: string[] = [];
  const byId = new Map<string, RunRecord>();
  for (const name of await place.names('months')) {
    for (const run of (await readMonth(place, name, skipped))?.value.runs ?? []) byId.set(run.id, run);
  }
  for (const batch of (await readBatches(place, 'runs', skipped)).values()) for (const run of batch.runs) byId.set(run.id, run);
  return { runs: sortRuns([...byId.values()]), skipped };
}

export function sortRuns(runs: RunRecord[]): RunRecord[] {
  return runs.sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
}
