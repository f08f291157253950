/** What `gulp restore --pull` prints and records. */
import { formatBytes } from '../util/progress';
import { writeRunReport } from '../util/run-report';
import type { PullOutcome } from './run-pull';

export interface PullReport {
  readonly environment: string;
  readonly bucket: string;
  readonly release: string;
  readonly dest: string;
  readonly pulled: number;
  readonly bytes: number;
  readonly kept: number;
  readonly failures: PullOutcome['failures'];
  readonly manifest: PullOutcome['manifest'];
  readonly dryRun: boolean;
  readonly diskFull: boolean;
  readonly seconds: number;
  readonly ok: boolean;
}

export function pullReport(outcome: PullOutcome, context: { environment: string; bucket: string }): PullReport {
  return {
    ...context, release: outcome.release.id, dest: outcome.dest, pulled: outcome.pulled, bytes: outcome.bytes, kept: outcome.kept,
    failures: outcome.failures, manifest: outcome.manifest, dryRun: outcome.dryRun, diskFull: outcome.diskFull, seconds: Number(outcome.seconds.toFixed(3)),
    ok: outcome.failures.length === 0 && outcome.manifest.status !== 'failed',
  };
}

export function formatPull(r: PullReport): string {
  if (r.dryRun) {
    const lines = [`dry run: pulling release ${r.release} into ${r.dest} would download ${r.pulled} objects (${formatBytes(r.bytes)}); `
      + `${r.kept} already there with the release's SHA-256; nothing was written`];
    for (const f of r.failures.slice(0, 50)) lines.push(`  cannot pull ${f.key}: ${f.reason}`);
    return lines.join('\n');
  }
  const lines = [`pulled release ${r.release} into ${r.dest}: ${r.pulled} downloaded (${formatBytes(r.bytes)}), ${r.kept} already there, `
    + `${r.failures.length} failed, each checked by SHA-256, in ${r.seconds.toFixed(2)} s`];
  for (const f of r.failures.slice(0, 50)) lines.push(`  ${f.key}: ${f.reason}`);
  if (r.failures.length > 50) lines.push(`  … and ${r.failures.length - 50} more (see the report)`);
  const m = r.manifest;
  if (m.status === 'written') {
    lines.push(`images.json written: ${m.sources} sources${m.dropped.length ? `; ${m.dropped.length} left out (not all their images pulled), `
      + '`gulp build` will re-encode those' : '; `gulp build` will find every image cached'}`);
  } else if (m.status === 'kept') {
    lines.push(`images.json kept as it was (${m.sources} sources): ${m.reason ?? ''}; run the same command again to finish the pull`);
  } else if (m.status === 'none') {
    lines.push('this release recorded no image manifest (made by an older version): `gulp build` will re-encode to rebuild images.json');
  } else {
    lines.push(`images.json not written: ${m.reason ?? 'unknown reason'}`);
  }
  return lines.join('\n');
}

export function writePullReport(report: PullReport, dir: string | undefined, secrets: readonly string[]): Promise<string | undefined> {
  return writeRunReport('pull', report, { dir, secrets, stepSummary: [
    `### Image pull of ${report.release} (${report.environment}) ${report.ok ? '✅' : '❌'}`, '',
    '| downloaded | already there | failed | manifest |', '|---|---|---|---|',
    `| ${report.pulled} | ${report.kept} | ${report.failures.length} | ${report.manifest.status} |`, '',
  ].join('\n') });
}
