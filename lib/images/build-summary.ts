import { formatBytes } from '../util/progress';
import type { BuildSummary } from './build';

/** The human summary printed at the end of `gulp build`. */
export function formatBuildSummary(s: BuildSummary): string {
  const lines = [
    `build: ${s.sources} sources — ${s.built} built, ${s.cached} cached, ${s.removed} removed, ${s.failed} failed`,
    `  outputs: ${s.outputsWritten} written (${formatBytes(s.bytesOut)}), ${s.outputsRemoved} removed; `
      + `decoded ${formatBytes(s.bytesIn)} of sources; hashed ${s.hashed}`,
    `  ${s.seconds.toFixed(2)} s, ${s.sourcesPerSecond.toFixed(1)} sources/s; manifest ${s.manifest}`,
  ];
  if (s.failures.length > 0) {
    lines.push(`failed (${s.failures.length}):`);
    for (const f of s.failures) lines.push(`  ${f.file}: ${f.reason}`);
  }
  return lines.join('\n');
}
