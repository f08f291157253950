/** What `gulp mirror` prints and records: the plan, the outcome, a JSON report, a GitHub step summary. */
import { formatPlan } from '../sync/sync-report';
import { formatBytes } from '../util/progress';
import { keysByKind, keysDone, writeRunReport, type KeysByKind } from '../util/run-report';
import type { MirrorOutcome } from './run-mirror';

export interface MirrorReport {
  /** The source: its environment and the release copied. */
  readonly source: { readonly environment: string; readonly release: string; readonly objects: number };
  readonly environment: string;
  readonly bucket: string;
  readonly dryRun: boolean;
  readonly plan: MirrorOutcome['totals'];
  readonly unmanaged: MirrorOutcome['unmanaged'];
  readonly deleteRefusal?: string;
  /** The plan by key: create, update, retag, delete, archive. */
  readonly actions: KeysByKind;
  /** The target's objects the release does not have that were not deleted (why: `deleteRefusal`). */
  readonly notDeleted: readonly string[];
  readonly completed?: Record<string, number>;
  readonly done?: { readonly written: readonly string[]; readonly deleted: readonly string[] };
  /** Bytes read from the source and written to the target. */
  readonly bytesCopied: number;
  readonly failures: { key: string; action: string; reason: string }[];
  readonly stopped?: string;
  /** The target's new release. */
  readonly release?: string;
  readonly unrecorded?: string;
  /** The target's release that describes it after the run. */
  readonly latest?: string;
  readonly seconds: number;
  readonly ok: boolean;
}

const NO_PUBLISHED = { files: 0, hashed: 0, seconds: 0, idle: [] };

export function mirrorReport(outcome: MirrorOutcome, context: { source: string; environment: string; bucket: string; dryRun: boolean }): MirrorReport {
  const failures = outcome.result?.failures ?? [];
  const deletesRefused = outcome.plan.deleteRefusal !== undefined && !context.dryRun;
  return {
    source: { environment: context.source, release: outcome.from.id, objects: Object.keys(outcome.from.objects).length },
    environment: context.environment, bucket: context.bucket, dryRun: context.dryRun, plan: outcome.totals, unmanaged: outcome.unmanaged,
    deleteRefusal: outcome.plan.deleteRefusal, actions: keysByKind(outcome.plan.actions),
    notDeleted: outcome.plan.deleteRefusal ? outcome.plan.extras.map((e) => e.key) : [],
    completed: outcome.result?.completed, done: keysDone(outcome.result), bytesCopied: outcome.result?.bytesUploaded ?? 0,
    failures, stopped: outcome.result?.stopped, release: outcome.release?.id, unrecorded: outcome.unrecorded, latest: outcome.describedBy,
    seconds: Number(outcome.seconds.toFixed(3)),
    ok: failures.length === 0 && !outcome.result?.stopped && !outcome.unrecorded && !deletesRefused,
  };
}

export function formatMirrorPlan(planned: Pick<MirrorOutcome, 'from' | 'plan' | 'totals' | 'unmanaged'>, source: string, target: string): string {
  const objects = Object.values(planned.from.objects);
  const bytes = objects.reduce((sum, o) => sum + o.size, 0);
  return `mirror: --env ${source} release ${planned.from.id} (${objects.length} objects, ${formatBytes(bytes)}) → --env ${target}\n`
    + formatPlan({ ...planned, published: NO_PUBLISHED }).replace(/^ {2}upload /m, '  copy from the source ');
}

export function formatMirrorOutcome(report: MirrorReport): string {
  const from = `--env ${report.source.environment} release ${report.source.release}`;
  if (report.completed === undefined && !report.unrecorded) {
    if (report.notDeleted.length > 0) return `nothing written: the target holds ${from} except ${report.notDeleted.length} object(s) it has and the release does not, which were not deleted (see "deletes:" above)`;
    return `nothing to do: --env ${report.environment} already holds ${from}${report.latest ? `, and its latest release, ${report.latest}, describes it` : ''}`;
  }
  const c = report.completed ?? {};
  const lines = [`mirror of ${from} into --env ${report.environment}: ${c.create ?? 0} created, ${c.update ?? 0} updated, ${c.retag ?? 0} retagged, `
    + `${c.delete ?? 0} deleted; ${formatBytes(report.bytesCopied)} copied in ${report.seconds.toFixed(2)} s; ${report.failures.length} failed`];
  if (report.stopped) lines.push(`  ${report.stopped}`);
  if (report.unrecorded) lines.push(`  not recorded: ${report.unrecorded}`);
  if (report.release) lines.push(`  release ${report.release} recorded in --env ${report.environment} (roll it back with \`gulp restore --env ${report.environment} --release previous\`)`);
  else if (report.latest) lines.push(`  no new release: the latest, ${report.latest}, already describes --env ${report.environment}`);
  for (const f of report.failures.slice(0, 50)) lines.push(`  ${f.action} ${f.key}: ${f.reason}`);
  if (report.failures.length > 50) lines.push(`  … and ${report.failures.length - 50} more (in the report)`);
  return lines.join('\n');
}

export async function writeMirrorReport(report: MirrorReport, dir: string | undefined, secrets: readonly string[]): Promise<string | undefined> {
  const c = report.completed ?? {};
  return writeRunReport('mirror', report, { dir, secrets, stepSummary: [
    `### Mirror ${report.source.environment} → ${report.environment}${report.dryRun ? ' (dry run)' : ''} ${report.ok ? '✅' : '❌'}`,
    '', `release ${report.source.release}`, '',
    '| created | updated | retagged | deleted | unchanged | failed | copied |', '|---|---|---|---|---|---|---|',
    `| ${c.create ?? 0} | ${c.update ?? 0} | ${c.retag ?? 0} | ${c.delete ?? 0} | ${report.plan.keep} | ${report.failures.length} | ${formatBytes(report.bytesCopied)} |`, '',
  ].join('\n') });
}
