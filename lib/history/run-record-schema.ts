/**
 * Run records as they come back from the bucket or the history folder: parsed once here (another writer,
 * or a hostile one, may have put anything under `_history/`), so the cost model, the alerts and the
 * dashboard can trust every figure.
 */
import * as v from 'valibot';
import { count, parseWith, plain, text } from '../validate/records';
import { HISTORY_COMMANDS, type HistoryBatch, type MonthRollup } from './types';

/** `20261203T020316.123Z-sync-1a2b3c4d`. */
export const RUN_ID = /^\d{8}T\d{6}\.\d{3}Z-[a-z]+-[0-9a-f]{8}$/;
export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
/** `2026-12.json`: the name a month rollup is written under. */
export const isMonthFile = (name: string): boolean => name.endsWith('.json') && MONTH.test(name.slice(0, -'.json'.length));

/** A run's start: UTC to the millisecond as the tracker writes it, a real date, from 2020 on (no year 0, no offsets). */
const runTime = v.pipe(v.string('is not text'), v.regex(/^20[2-9]\d-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'is not a UTC time of ours'),
  v.check((t) => !Number.isNaN(Date.parse(t)) && new Date(t).toISOString() === t, 'is not a real time'));
const runId = v.pipe(v.string('is not text'), v.regex(RUN_ID, 'is not a run id'));
const tally = v.object({ count, bytes: count });
const tallies = plain(v.record(text(100), tally, 'is not a map of counts'), 'is not a map of counts');
const requests = v.object({ classA: count, classB: count, free: count });
const counts = plain(v.record(text(100), count, 'is not a map of counts'), 'is not a map of counts');
const cost = v.pipe(v.number('is not a number'), v.minValue(0, 'is negative'), v.maxValue(1e9, 'is too large'));

const runRecord = plain(v.object({
  id: runId,
  time: runTime,
  command: v.picklist(HISTORY_COMMANDS, `is not one of ${HISTORY_COMMANDS.join(', ')}`),
  environment: v.nullable(text(100)),
  commit: v.nullable(text(100)),
  durationMs: count,
  ok: v.boolean(),
  error: v.optional(v.object({ code: text(100), message: text(2000) })),
  sources: v.optional(v.object({ count, bytes: count, decoded: count, cached: count, restored: count, failed: count })),
  objects: v.optional(v.object({ count, bytes: count, bySize: tallies, byType: tallies })),
  writes: v.optional(v.object({ attempted: count, failed: count, bytes: count, deleted: count })),
  archive: v.optional(v.object({ added: tally, removed: tally })),
  storage: v.optional(v.object({ images: tally, archive: tally, records: tally })),
  requests: v.object({ ...requests.entries, byOperation: counts }),
  costUsd: cost,
  publicLatency: v.optional(v.object({ count, p50Ms: count, p95Ms: count, maxMs: count })),
  verify: v.optional(v.object({
    problems: count,
    byClass: counts,
    examples: v.pipe(v.array(v.object({ key: text(1100), problem: text(200) })), v.maxLength(50, 'has more than 50 examples')),
  })),
  release: v.optional(text(100)),
}), 'is not a run record');

const batchSchema = plain(v.object({
  version: v.literal(1, 'is not version 1'),
  // A batch of ours always carries its run: an empty one is someone else's, never read or deleted.
  runs: v.pipe(v.array(runRecord, 'is not a list'), v.minLength(1, 'is empty'), v.maxLength(1000, 'has more than 1000 runs')),
}), 'is not a run history batch');

const monthSchema = plain(v.object({
  version: v.literal(1, 'is not version 1'),
  month: v.pipe(v.string('is not text'), v.regex(MONTH, 'is not a month (YYYY-MM)')),
  runs: v.array(runRecord, 'is not a list'),
  dropped: v.object({ runs: count, requests, costUsd: cost }),
}), 'is not a month of run history');

export const parseHistoryBatch = (value: string, where: string): HistoryBatch => parseWith(batchSchema, value, where) as HistoryBatch;
export const parseMonthRollup = (value: string, where: string): MonthRollup => parseWith(monthSchema, value, where) as MonthRollup;
