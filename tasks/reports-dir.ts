/** Where a task's JSON report goes. */
import type { FlagValue } from './flags';

/** `--reports`, else REPORTS_DIR (so CI, or a test suite, can send every run's report elsewhere), else `reports`. */
export function reportsDir(flags: Record<string, FlagValue>): string {
  return (flags.reports as string | undefined) ?? (process.env.REPORTS_DIR || 'reports');
}
