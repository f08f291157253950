import { formatBytes } from '../util/progress';
import { keyProblem, printableKey } from '../validate/object-key';
import type { BuildSummary } from './build';

/** A source name as the summary prints it: a hostile one (control characters, backslashes…) quoted and made safe. */
const shown = (file: string): string => (keyProblem(file) ? printableKey(file) : file);

function dryRunLines(s: BuildSummary, plan: NonNullable<BuildSummary['dryRun']>): string[] {
  const lines = [`build (dry run, nothing was written): ${s.sources} sources — ${s.built} would be built, ${s.cached} cached, `
    + `${s.removed} removed (${plan.remove.length} outputs), ${s.failed} refused`];
  const list = (title: string, items: readonly string[]) => {
    if (items.length === 0) return;
    lines.push(`${title} (${items.length}):`, ...items.slice(0, 20).map((item) => `  ${shown(item)}`));
    if (items.length > 20) lines.push(`  … and ${items.length - 20} more`);
  };
  list('would build', plan.build);
  list('would remove', plan.remove);
  return lines;
}

/** The human summary printed at the end of `gulp build`. */
export function formatBuildSummary(s: BuildSummary): string {
  const lines = s.dryRun ? dryRunLines(s, s.dryRun) : [
    `build: ${s.sources} sources — ${s.built} built, ${s.cached} cached, ${s.removed} removed, ${s.failed} failed`,
    `  outputs: ${s.outputsWritten} written (${formatBytes(s.bytesOut)}), ${s.outputsRemoved} removed; `
      + `decoded ${formatBytes(s.bytesIn)} of sources; hashed ${s.hashed}`,
    `  ${s.seconds.toFixed(2)} s, ${s.sourcesPerSecond.toFixed(1)} sources/s; manifest ${s.manifest}`,
  ];
  if (s.leftoversRemoved > 0) lines.push(`  removed ${s.leftoversRemoved} temp file(s) left in dist by a killed build`);
  if (s.failures.length > 0) {
    lines.push(`failed (${s.failures.length}):`);
    for (const f of s.failures) lines.push(`  ${shown(f.file)}: ${f.reason}`);
  }
  return lines.join('\n');
}
