/** What `gulp prune` prints and records. */
import { formatBytes } from '../util/progress';
import { writeRunReport } from '../util/run-report';
import type { PruneOutcome } from './run-prune';

export interface PruneReport {
  readonly environment: string;
  readonly bucket: string;
  readonly dryRun: boolean;
  /** The deletes were sent (not a dry run, nothing refused, something to delete). */
  readonly applied: boolean;
  readonly kept: readonly string[];
  readonly dropped: readonly string[];
  readonly archive: { readonly deletes: number; readonly referenced: number; readonly inGrace: number; readonly bytesFreed: number };
  /** The archived copies the plan deletes, by key (`dropped` names the release records). */
  readonly archiveKeys: readonly string[];
  /** What was deleted, by key (release records and archived copies). */
  readonly deletedKeys: readonly string[];
  readonly deleteRefusal?: string;
  readonly deleted: number;
  readonly failures: readonly { key: string; reason: string }[];
  readonly stopped?: string;
  readonly seconds: number;
  readonly ok: boolean;
}

export function pruneReport(outcome: PruneOutcome, context: { environment: string; bucket: string; dryRun: boolean }): PruneReport {
  const { plan, result } = outcome;
  const failures = result?.failures ?? [];
  return {
    ...context, applied: result !== undefined, kept: plan.kept, dropped: plan.dropped,
    archive: { deletes: plan.archiveDeletes.length, referenced: plan.referenced, inGrace: plan.inGrace.length, bytesFreed: plan.bytesFreed },
    archiveKeys: plan.archiveDeletes.map((o) => o.key), deletedKeys: result?.deleted ?? [],
    deleteRefusal: plan.deleteRefusal, deleted: result?.deleted.length ?? 0, failures, stopped: result?.stopped,
    seconds: Number(outcome.seconds.toFixed(3)), ok: failures.length === 0 && !result?.stopped && !plan.deleteRefusal,
  };
}

export function formatPrunePlan(r: PruneReport): string {
  const lines = [
    `prune: keep ${r.kept.length} release(s) (${r.kept.join(', ')}); delete ${r.dropped.length} older release record(s) and `
      + `${r.archive.deletes} archived cop${r.archive.deletes === 1 ? 'y' : 'ies'} no kept release needs (${formatBytes(r.archive.bytesFreed)}); `
      + `${r.archive.referenced} archived copies kept for the kept releases, ${r.archive.inGrace} kept as younger than the grace period`,
  ];
  if (r.deleteRefusal) lines.push(`  deletes: ${r.deleteRefusal}`);
  return lines.join('\n');
}

/** After a run: the plan (unless it was applied, when it was shown before the confirmation), then what happened. */
export function formatPruneOutcome(r: PruneReport): string {
  const lines = r.applied ? [] : [formatPrunePlan(r)];
  if (r.applied) lines.push(`prune: deleted ${r.deleted} object(s) (release records and archived copies), ${r.failures.length} failed in ${r.seconds.toFixed(2)} s`);
  else if (r.dropped.length + r.archive.deletes === 0) lines.push('nothing to prune');
  else lines.push(`${r.dryRun && !r.deleteRefusal ? 'dry run: ' : ''}nothing was deleted`);
  if (r.stopped) lines.push(`  ${r.stopped}`);
  for (const f of r.failures.slice(0, 50)) lines.push(`  ${f.key}: ${f.reason}`);
  return lines.join('\n');
}

export function writePruneReport(report: PruneReport, dir: string | undefined, secrets: readonly string[]): Promise<string | undefined> {
  return writeRunReport('prune', report, { dir, secrets, stepSummary: [
    `### Archive prune (${report.environment}${report.dryRun ? ', dry run' : ''}) ${report.ok ? '✅' : '❌'}`, '',
    '| releases kept | release records deleted | archived copies deleted | freed | failed |', '|---|---|---|---|---|',
    `| ${report.kept.length} | ${report.dropped.length} | ${report.archive.deletes} | ${formatBytes(report.archive.bytesFreed)} | ${report.failures.length} |`, '',
  ].join('\n') });
}
