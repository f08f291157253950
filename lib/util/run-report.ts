/**
 * Every task's JSON report: written to reports/ (or --reports), secrets scrubbed, older reports of the
 * task pruned, and a step summary for GitHub Actions.
 */
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../manifest/io';
import { pruneReports, reportFileName } from './prune-reports';

/** Replaces any secret value that slipped into a string with `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join('***'), text);
}

/** What a plan does, by kind, as arrays of keys (small enough for 30,000 keys); an archive copy by the key whose bytes it keeps. */
export type KeysByKind = Record<string, string[]>;

export function keysByKind(actions: readonly { kind: string; key: string; sourceKey?: string }[]): KeysByKind {
  const out: KeysByKind = {};
  for (const a of actions) (out[a.kind] ??= []).push(a.kind === 'archive' && a.sourceKey ? a.sourceKey : a.key);
  return out;
}

/** What an applied plan did, by key: written (uploads and copies, archive copies not counted) and deleted. */
export function keysDone(result: { written: readonly { key: string }[]; deleted: readonly string[] } | undefined): { written: string[]; deleted: string[] } | undefined {
  return result && { written: result.written.map((w) => w.key), deleted: [...result.deleted] };
}

/**
 * Writes `<dir>/<task>-<time>.json` and keeps only the newest REPORTS_KEPT reports of `task` there; when
 * GITHUB_STEP_SUMMARY is set, appends `stepSummary` (Markdown) to it. Returns the report's path; with no
 * `dir` (a dry run: it writes nothing), no file and undefined.
 */
export async function writeRunReport(
  task: string, report: unknown, options: { dir: string | undefined; secrets: readonly string[]; stepSummary: string },
): Promise<string | undefined> {
  if (options.dir === undefined) return undefined;
  const path = join(options.dir, reportFileName(task, new Date()));
  await writeJsonAtomic(path, JSON.parse(scrub(JSON.stringify(report), options.secrets)));
  await pruneReports(options.dir, task);
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) await appendFile(summaryFile, scrub(options.stepSummary, options.secrets));
  return path;
}
