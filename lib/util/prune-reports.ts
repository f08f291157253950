/** Keeps a reports folder from growing without end: the newest reports of each task, nothing else touched. */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { escapeRegExp } from './escape-regexp';

/** Reports of one task kept in the folder after each run. */
export const REPORTS_KEPT = 50;

/** The file name `writeRunReport` gives a report of `task` written at `time`: `<task>-<ISO time, : and . as ->.json`. */
export function reportFileName(task: string, time: Date): string {
  return `${task}-${time.toISOString().replace(/[:.]/g, '-')}.json`;
}

const STAMP = String.raw`\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z`;

/** True only for a name `reportFileName(task, …)` can give: so `sync-…` never matches a `sync-old-…` of someone else. */
export function isReportOf(task: string, name: string): boolean {
  return new RegExp(`^${escapeRegExp(task)}-${STAMP}\\.json$`).test(name);
}

/**
 * Deletes all but the `keep` newest reports of `task` in `dir` (the time stamp sorts as text); returns
 * the names deleted. Other tasks' reports and every other file are left alone.
 */
export async function pruneReports(dir: string, task: string, keep = REPORTS_KEPT): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => isReportOf(task, name)).sort().reverse();
  const old = names.slice(keep);
  // Housekeeping after the run's work is done: a report another run deleted first is no reason to fail.
  await Promise.all(old.map((name) => rm(join(dir, name), { force: true })));
  return old;
}
