/** What `gulp restore` and `gulp releases` print and record. */
import { restoreCommand, type Release } from '../releases/release';
import { showKey } from '../plan/match';
import { formatUnmanaged } from '../bucket/unmanaged-report';
import { formatBytes } from '../util/progress';
import { keysByKind, keysDone, writeRunReport, type KeysByKind } from '../util/run-report';
import { LATEST_BEHIND } from '../verify/verify-report';
import type { RollbackOutcome } from './run-rollback';

export interface ReleaseSummary {
  readonly id: string;
  readonly createdAt: string;
  readonly reason: Release['reason'];
  readonly restoredFrom?: string;
  readonly commit?: string;
  readonly objects: number;
  readonly bytes: number;
  readonly changes: Record<keyof Release['changes'], number>;
}

export function summarizeRelease(r: Release): ReleaseSummary {
  const objects = Object.values(r.objects);
  return {
    id: r.id, createdAt: r.createdAt, reason: r.reason, restoredFrom: r.restoredFrom, commit: r.commit,
    objects: objects.length, bytes: objects.reduce((sum, o) => sum + o.size, 0),
    changes: { created: r.changes.created.length, updated: r.changes.updated.length, retagged: r.changes.retagged.length, deleted: r.changes.deleted.length },
  };
}

export function formatReleases(rows: readonly (ReleaseSummary & { latest: boolean; unpublished?: boolean })[], total: number, unreleased = false): string {
  if (total === 0) return 'no releases recorded yet (every successful `gulp sync` records one)';
  const lines = rows.map((r) => {
    const c = r.changes;
    const what = r.reason === 'restore' ? `restore of ${r.restoredFrom}` : `${r.reason === 'sync' ? '' : r.reason === 'mirror' ? `mirror of ${r.restoredFrom} ` : `${r.reason} `}+${c.created} ~${c.updated} ⇄${c.retagged} −${c.deleted}`;
    const mark = r.latest ? '*' : r.unpublished ? '!' : ' ';
    return `${mark} ${r.id}  ${r.createdAt}  ${String(r.objects).padStart(6)} objects  ${formatBytes(r.bytes).padStart(9)}  ${what}${r.commit ? `  ${r.commit.slice(0, 9)}` : ''}`;
  });
  if (total > rows.length) lines.push(`  … ${total - rows.length} older (raise --limit)`);
  if (rows.some((r) => r.unpublished)) {
    lines.push('! = recorded by a run that stopped before making it the latest; the next `gulp sync` adopts it if the bucket holds exactly that');
  }
  if (unreleased) lines.push(`note: ${LATEST_BEHIND}`);
  return [`releases (newest first, * = latest; +created ~updated ⇄retagged −deleted):`, ...lines].join('\n');
}

export function formatRollbackPlan(outcome: RollbackOutcome, limit = 20): string {
  const t = outcome.totals;
  const p = outcome.plan;
  const lines = [
    `${outcome.result ? '' : 'plan: '}restore to ${outcome.target.id} (${outcome.target.createdAt}): ${t.restores} copied back from the archive, ${t.retags} re-headered, `
      + `${t.deletes} deleted, ${t.archives} archived first, ${p.keep} already right; ${t.requests.classA} class A requests, no uploads`,
  ];
  const unmanaged = formatUnmanaged(outcome.unmanaged);
  if (unmanaged) lines.push(`  ${unmanaged}`);
  if (p.deleteRefusal) lines.push(`  deletes: ${p.deleteRefusal}`);
  for (const u of p.unrecoverable) lines.push(`  cannot restore ${u.key}: ${u.reason}`);
  for (const a of p.actions.slice(0, limit)) {
    lines.push(a.kind === 'archive' ? `  archive ${showKey(a.sourceKey)} (its current bytes, to ${a.key})` : `  ${a.kind.padEnd(7)} ${showKey(a.key)}`);
  }
  if (p.actions.length > limit) lines.push(`  … and ${p.actions.length - limit} more (full list with --json)`);
  return lines.join('\n');
}

export interface RestoreReport {
  readonly environment: string;
  readonly bucket: string;
  readonly dryRun: boolean;
  readonly target: string;
  readonly plan: RollbackOutcome['totals'];
  /** Objects left alone (not the tool's, or excluded or ignored): never deleted by a restore. */
  readonly unmanaged: RollbackOutcome['unmanaged'];
  readonly unrecoverable: RollbackOutcome['plan']['unrecoverable'];
  readonly deleteRefusal?: string;
  /** The plan by key: restore (copied back), retag, delete, and archive (the keys whose bytes are archived first). */
  readonly actions: KeysByKind;
  /** Keys the release does not have that were not deleted (the reason is `deleteRefusal`). */
  readonly notDeleted: readonly string[];
  readonly completed?: Record<string, number>;
  /** What was done, by key (when the rollback ran). */
  readonly done?: { readonly written: readonly string[]; readonly deleted: readonly string[] };
  readonly failures: readonly { key: string; action: string; reason: string }[];
  readonly stopped?: string;
  readonly release?: string;
  readonly changedUrls: readonly string[];
  readonly seconds: number;
  readonly ok: boolean;
}

export function restoreReport(outcome: RollbackOutcome, context: { environment: string; bucket: string; dryRun: boolean }): RestoreReport {
  const failures = outcome.result?.failures ?? [];
  return {
    ...context, target: outcome.target.id, plan: outcome.totals, unmanaged: outcome.unmanaged, unrecoverable: outcome.plan.unrecoverable,
    deleteRefusal: outcome.plan.deleteRefusal, actions: keysByKind(outcome.plan.actions),
    notDeleted: outcome.plan.deleteRefusal ? outcome.plan.extras.map((e) => e.key) : [],
    completed: outcome.result?.completed, done: keysDone(outcome.result), failures, stopped: outcome.result?.stopped,
    release: outcome.release?.id, changedUrls: outcome.changedUrls, seconds: Number(outcome.seconds.toFixed(3)),
    ok: failures.length === 0 && !outcome.result?.stopped && outcome.plan.unrecoverable.length === 0 && !outcome.plan.deleteRefusal,
  };
}

export function formatRestoreOutcome(outcome: RollbackOutcome, report: RestoreReport): string {
  if (!outcome.result) {
    if (outcome.plan.actions.length === 0 && report.ok) return `the bucket already matches release ${outcome.target.id}: nothing to do`;
    return `${formatRollbackPlan(outcome)}\n${report.dryRun && report.ok ? 'dry run: ' : ''}nothing was changed`;
  }
  const c = report.completed ?? {};
  const lines = [`restore: ${c.restore ?? 0} copied back, ${c.retag ?? 0} re-headered, ${c.delete ?? 0} deleted, ${c.archive ?? 0} archived; `
    + `${report.failures.length} failed in ${report.seconds.toFixed(2)} s`];
  if (report.stopped) lines.push(`  ${report.stopped}`);
  for (const f of report.failures.slice(0, 50)) lines.push(`  ${f.action} ${f.key}: ${f.reason}`);
  if (report.release) lines.push(`recorded as release ${report.release} (undo with \`${restoreCommand(report.environment, 'previous')}\`)`);
  return lines.join('\n');
}

export function writeRestoreReport(report: RestoreReport, dir: string | undefined, secrets: readonly string[]): Promise<string | undefined> {
  const c = report.completed ?? {};
  return writeRunReport('restore', report, { dir, secrets, stepSummary: [
    `### Image restore to ${report.target} (${report.environment}${report.dryRun ? ', dry run' : ''}) ${report.ok ? '✅' : '❌'}`, '',
    '| copied back | re-headered | deleted | archived | failed |', '|---|---|---|---|---|',
    `| ${c.restore ?? 0} | ${c.retag ?? 0} | ${c.delete ?? 0} | ${c.archive ?? 0} | ${report.failures.length} |`, '',
  ].join('\n') });
}
