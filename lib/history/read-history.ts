/** Reading a run history back: the month rollups and the batches not rolled up yet, each parsed once. */
import { BadRecordError } from '../errors';
import { monthOf } from '../cost/month-progress';
import { printable } from '../util/printable';
import type { HistoryArea, HistoryPlace } from './history-place';
import { parseHistoryBatch, parseMonthRollup } from './run-record-schema';
import type { HistoryBatch, MonthRollup, RunRecord } from './types';

export interface HistoryRead {
  /** Every run once (by id), oldest first. */
  readonly runs: RunRecord[];
  /** Objects that are not history of ours: named (printably) and skipped, never fatal (the history is advice, not data). */
  readonly skipped: string[];
  /** By month: the runs a month rollup folded into totals (past its cap), so costs still add up. */
  readonly dropped: ReadonlyMap<string, MonthRollup['dropped']>;
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

/** A month rollup; one whose name is not its month, or that holds a run of another month, is not ours. */
export async function readMonth(place: HistoryPlace, name: string, skipped: string[]): Promise<{ value: MonthRollup; tag: string } | undefined> {
  const read = await readParsed(place, 'months', name, parseMonthRollup, skipped);
  if (!read) return undefined;
  const stray = read.value.runs.find((r) => monthOf(r.time) !== read.value.month);
  if (name !== `${read.value.month}.json` || stray) {
    skipped.push(printable(`${place.description}months/${name}: ${stray ? `holds run ${stray.id} of another month` : `is named other than its month ${read.value.month}`}`).slice(0, 400));
    return undefined;
  }
  return read;
}

async function readParsed<T>(
  place: HistoryPlace, area: HistoryArea, name: string, parse: (text: string, where: string) => T, skipped: string[],
): Promise<{ value: T; tag: string } | undefined> {
  // A name comes from a listing: anyone could have chosen it (newlines, `::` workflow commands, escapes).
  const where = printable(`${place.description}${area}/${name}`).slice(0, 300);
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
  const droppedByMonth = new Map<string, MonthRollup['dropped']>();
  for (const name of await place.names('months')) {
    const month = (await readMonth(place, name, skipped))?.value;
    for (const run of month?.runs ?? []) byId.set(run.id, run);
    if (month && month.dropped.runs > 0) droppedByMonth.set(month.month, month.dropped);
  }
  for (const batch of (await readBatches(place, 'runs', skipped)).values()) for (const run of batch.runs) byId.set(run.id, run);
  return { runs: sortRuns([...byId.values()]), dropped: droppedByMonth, skipped };
}

export function sortRuns(runs: RunRecord[]): RunRecord[] {
  return runs.sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
}
