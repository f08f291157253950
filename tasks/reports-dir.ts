/** Where a task's JSON report goes. */

/**
 * `--reports`, else REPORTS_DIR (so CI, or a test suite, can send every run's report elsewhere), else
 * `reports`. A dry run writes nothing anywhere: no report unless --reports asks for one.
 */
export function reportsDir(flags: { readonly reports?: string; readonly 'dry-run'?: boolean }): string | undefined {
  if (flags['dry-run'] && flags.reports === undefined) return undefined;
  return flags.reports ?? (process.env.REPORTS_DIR || 'reports');
}
