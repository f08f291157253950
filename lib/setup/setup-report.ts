/** `gulp setup`'s report: one line per item (✓ done or as it should be, ✗ wrong, – not checked), its changes, its fix. */
import { writeRunReport } from '../util/run-report';
import type { SetupReport } from './run-setup';
import type { ItemStatus } from './setup-item';

const SYMBOL = (ok: ItemStatus) => (ok === true ? '✓' : ok === false ? '✗' : '–');

export function formatSetup(report: SetupReport): string {
  // Which bucket is said by the line before (withBucket's); a dry run says what it leaves out.
  const lines = report.dryRun ? ['--dry-run: nothing is changed or written (CORS is only planned; the credentials probe only lists and reads)'] : [];
  for (const item of report.items) {
    lines.push(`${SYMBOL(item.ok)} ${item.name}: ${item.detail}`);
    for (const change of item.changes ?? []) lines.push(`    ${change}`);
    if (item.ok !== true && item.fix) lines.push(`    → ${item.fix}`);
  }
  const count = (ok: ItemStatus) => report.items.filter((item) => item.ok === ok).length;
  const token = report.admin ? '; bucket settings read with the admin token' : '';
  lines.push(`setup: ${count(true)} ✓, ${count(false)} ✗, ${count('skipped')} not checked or not applied${token}`);
  return lines.join('\n');
}

/** Writes setup's JSON report (with the CORS as it was before: what to put back to undo a change); returns its path. */
export function writeSetupReport(report: SetupReport, dir: string | undefined, secrets: readonly string[]): Promise<string | undefined> {
  const failed = report.items.filter((item) => item.ok === false).map((item) => item.name);
  return writeRunReport('setup', report, { dir, secrets, stepSummary: [
    `### gulp setup (${report.environment})`, '', failed.length > 0 ? `✗ ${failed.join(', ')}` : '✓ every check passed', '',
  ].join('\n') });
}
