/** Where a task's JSON report goes. */

/** `--reports`, else REPORTS_DIR (so CI, or a test suite, can send every run's report elsewhere), else `reports`. */
export function reportsDir(flags: { readonly reports?: string }): string {
  return flags.reports ?? (process.env.REPORTS_DIR || 'reports');
}
