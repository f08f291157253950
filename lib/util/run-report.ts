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

/**
 * Writes `<dir>/<task>-<time>.json` and keeps only the newest REPORTS_KEPT reports of `task` there; when
 * GITHUB_STEP_SUMMARY is set, appends `stepSummary` (Markdown) to it. Returns the report's path.
 */
export async function writeRunReport(
  task: string, report: unknown, options: { dir: string; secrets: readonly string[]; stepSummary: string },
): Promise<string> {
  const path = join(options.dir, reportFileName(task, new Date()));
  await writeJsonAtomic(path, JSON.parse(scrub(JSON.stringify(report), options.secrets)));
  await pruneReports(options.dir, task);
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) await appendFile(summaryFile, scrub(options.stepSummary, options.secrets));
  return path;
}
