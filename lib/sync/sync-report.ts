/** What `gulp sync` prints and records: the plan, the outcome, a JSON report, a GitHub step summary. */
import { restoreCommand } from '../releases/release';
import { keysByKind, keysDone, writeRunReport, type KeysByKind } from '../util/run-report';
import { showKey } from '../plan/match';
import { formatChangeNotes, type ChangeNotes } from '../plan/explain-changes';
import { formatUnmanaged } from '../bucket/unmanaged-report';
import { formatBytes } from '../util/progress';
import type { SyncOutcome } from './run-sync';
import { formatPurge, type PurgeReport } from '../edge/purge-changes';

export interface SyncReport {
  readonly environment: string;
  readonly bucket: string;
  readonly dryRun: boolean;
  readonly plan: SyncOutcome['totals'];
  /** Why objects the tool did not write are replaced, and what header-only copies change. */
  readonly changes?: ChangeNotes;
  /** Objects in scope left alone: excluded/ignored, held (an idle publish glob), or not the tool's (a few named). */
  readonly unmanaged: SyncOutcome['unmanaged'];
  /** The files assets.config.ts publishes from dist/. */
  readonly published: SyncOutcome['published'];
  readonly deleteRefusal?: string;
  /** The plan by key: create, update, retag, delete, and archive (the keys whose bytes are archived first). */
  readonly actions: KeysByKind;
  /** Objects the build no longer has that were not deleted (the reason is `deleteRefusal`). */
  readonly notDeleted: readonly string[];
  readonly completed?: Record<string, number>;
  /** What was done, by key (when the run wrote). */
  readonly done?: { readonly written: readonly string[]; readonly deleted: readonly string[] };
  readonly bytesUploaded: number;
  readonly failures: { key: string; action: string; reason: string }[];
  readonly stopped?: string;
  /** The release this sync made the latest, if the bucket changed. */
  readonly release?: string;
  /** That release was recorded by a run that stopped before publishing it, and is now adopted. */
  readonly adopted?: boolean;
  /** Why the bucket is left with changes no release records, though every write succeeded. */
  readonly unrecorded?: string;
  /** The release that describes the bucket after the run. */
  readonly latest?: string;
  /** The run's scope as its flags said it; undefined for the whole bucket. */
  readonly scope?: string;
  readonly seconds: number;
  /** The purge after the sync (none for a dry run, or when nothing public changed). */
  readonly purge?: PurgeReport;
  readonly ok: boolean;
}

export function syncReport(outcome: SyncOutcome, context: { environment: string; bucket: string; dryRun: boolean }): SyncReport {
  const failures = outcome.result?.failures ?? [];
  return {
    ...context, plan: outcome.totals, changes: outcome.plan.notes, unmanaged: outcome.unmanaged, published: outcome.published,
    deleteRefusal: outcome.plan.deleteRefusal, actions: keysByKind(outcome.plan.actions),
    notDeleted: outcome.plan.deleteRefusal ? outcome.plan.extras.map((e) => e.key) : [],
    completed: outcome.result?.completed, done: keysDone(outcome.result),
    bytesUploaded: outcome.result?.bytesUploaded ?? 0, failures, stopped: outcome.result?.stopped, release: outcome.release?.id,
    adopted: outcome.adopted, unrecorded: outcome.unrecorded, latest: outcome.describedBy, scope: outcome.scope, seconds: Number(outcome.seconds.toFixed(3)),
    ok: failures.length === 0 && !outcome.result?.stopped && !outcome.unrecorded,
  };
}

/** How far a run got: writes done (uploads and copies, archive copies included) of those planned, and deletes planned. */
export function progressOf(outcome: Pick<SyncOutcome, 'plan' | 'result'>): { done: number; planned: number; deletes: number } {
  const deletes = outcome.plan.actions.filter((a) => a.kind === 'delete').length;
  const completed: Record<string, number> = outcome.result?.completed ?? {};
  const done = Object.entries(completed).filter(([kind]) => kind !== 'delete').reduce((sum, [, n]) => sum + n, 0);
  return { done, planned: outcome.plan.actions.length - deletes, deletes: deletes - (completed.delete ?? 0) };
}

export function formatPlan(outcome: Pick<SyncOutcome, 'plan' | 'totals' | 'unmanaged' | 'published'>, limit = 20): string {
  const t = outcome.totals;
  const lines = [
    `plan: ${t.creates} create, ${t.updates} update, ${t.retags} retag (copy, headers only), ${t.deletes} delete, ${t.keep} unchanged, `
      + `${outcome.unmanaged.total} unmanaged left alone`
      + (t.archives ? `; ${t.archives} archive cop${t.archives === 1 ? 'y' : 'ies'} first (what is overwritten or deleted is kept)` : ''),
    `  upload ${formatBytes(t.uploadBytes)}; requests: ${t.requests.classA} class A, ${t.requests.classB} class B, `
      + `${t.requests.free} free; estimated cost $${t.estimatedCostUsd.toFixed(6)}`,
  ];
  lines.push(...formatChangeNotes(outcome.plan.notes));
  const { files, hashed, idle } = outcome.published;
  if (files > 0 || idle.length > 0) {
    lines.push(`  published files (assets.config.ts \`publish\`): ${files} in dist/, ${hashed} hashed this run`
      + (idle.length > 0 ? `; ${idle.map((g) => `"${g}"`).join(', ')} matched no file in dist/: their objects in the bucket are left alone` : ''));
  }
  const unmanaged = formatUnmanaged(outcome.unmanaged);
  if (unmanaged) lines.push(`  ${unmanaged}`);
  if (outcome.plan.deleteRefusal) lines.push(`  deletes: ${outcome.plan.deleteRefusal}`);
  for (const action of outcome.plan.actions.slice(0, limit)) {
    lines.push(action.kind === 'archive' ? `  archive ${showKey(action.sourceKey)} (its current bytes, to ${action.key})` : `  ${action.kind.padEnd(6)} ${showKey(action.key)}`);
  }
  if (outcome.plan.actions.length > limit) lines.push(`  … and ${outcome.plan.actions.length - limit} more (full list with --json)`);
  return lines.join('\n');
}

export function formatOutcome(report: SyncReport): string {
  if (report.completed === undefined && !report.unrecorded) {
    // The deletes a guard refused are the one thing left undone: the bucket does not "already hold the build".
    if (report.notDeleted.length > 0) return `nothing written: everything else already matches the build; ${report.notDeleted.length} object(s) the build no longer has were not deleted (see "deletes:" above)`;
    // A scoped run saw only its part of the bucket: it vouches for no more.
    if (report.scope) return `nothing to do within ${report.scope}: the bucket holds the build's objects there (the rest was not looked at)`;
    return `nothing to do: the bucket already holds the build${report.latest ? `, and the latest release, ${report.latest}, describes it` : ''}`;
  }
  const c = report.completed ?? {};
  const lines = [`sync: ${c.create ?? 0} created, ${c.update ?? 0} updated, ${c.retag ?? 0} retagged, ${c.delete ?? 0} deleted; `
    + `${formatBytes(report.bytesUploaded)} uploaded in ${report.seconds.toFixed(2)} s; ${report.failures.length} failed`];
  if (report.stopped) lines.push(`  ${report.stopped}`);
  if (report.unrecorded) lines.push(`  not recorded: ${report.unrecorded}`);
  if (report.adopted) lines.push(`  release ${report.release} (recorded by a run that stopped before publishing it) is now the latest: it is what the bucket holds`);
  else if (report.release) lines.push(`  release ${report.release} recorded (\`gulp releases\`; roll back with \`${restoreCommand(report.environment, '<id>')}\`)`);
  else if (report.latest) lines.push(`  no new release: the latest, ${report.latest}, already describes the bucket`);
  for (const f of report.failures.slice(0, 50)) lines.push(`  ${f.action} ${f.key}: ${f.reason}`);
  return lines.join('\n');
}

export async function writeSyncReport(report: SyncReport, dir: string | undefined, secrets: readonly string[]): Promise<string | undefined> {
  const c = report.completed ?? {};
  return writeRunReport('sync', report, { dir, secrets, stepSummary: [
    `### Image sync (${report.environment}${report.dryRun ? ', dry run' : ''}) ${report.ok ? '✅' : '❌'}`,
    '', '| created | updated | retagged | deleted | unchanged | failed | uploaded | est. cost |', '|---|---|---|---|---|---|---|---|',
    `| ${c.create ?? 0} | ${c.update ?? 0} | ${c.retag ?? 0} | ${c.delete ?? 0} | ${report.plan.keep} | ${report.failures.length} `
      + `| ${formatBytes(report.bytesUploaded)} | $${report.plan.estimatedCostUsd.toFixed(6)} |`, '',
    ...(report.purge ? [report.purge.status === 'failed'
      ? `⚠️ CDN: purge failed for ${report.purge.unpurged.length} of ${report.purge.changed.length} changed URL(s) (listed under purge.unpurged in the report)`
      : formatPurge(report.purge)[0] ?? '', ''] : []),
  ].join('\n') });
}
