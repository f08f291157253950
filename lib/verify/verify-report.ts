/** What `gulp verify` prints and records: counts per class, the first problems by key, what to run next. */
import { restoreCommand } from '../releases/release';
import { showKey } from '../plan/match';
import { formatUnmanaged } from '../bucket/unmanaged-report';
import { formatBytes } from '../util/progress';
import { keysByKind, keysDone, writeRunReport, type KeysByKind } from '../util/run-report';
import { formatLatency } from './latency';
import type { PublicSummary } from './public-run';
import type { RepairOutcome } from './repair-bucket';
import { nextStep } from './verify-next-step';
import { isClean, type VerifyOutcome } from './run-verify';

export const PROBLEM_KINDS = [
  'missing', 'corrupt', 'stale-headers', 'extra', 'unreadable', 'public-missing', 'public-stale', 'public-wrong', 'public-cors',
  /** Differs from the build, as the bucket's latest release (a rollback) records it: not damage. */
  'at-release',
] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

export interface Problem { readonly key: string; readonly kind: ProblemKind; readonly reason: string; readonly url?: string }

export interface VerifyReport {
  readonly environment: string;
  readonly bucket: string;
  readonly mode: { readonly deep: boolean; readonly public: boolean; readonly sample?: number };
  /** What the bucket was checked against: `the build`, or `release <id>`. */
  readonly against?: string;
  /** `bucket`: the tool's objects there; `unmanaged`: the others in scope, left alone (never extra, never a problem). */
  readonly objects: { readonly build: number; readonly bucket: number; readonly matching: number; readonly unmanaged: number };
  /** The unmanaged objects by why: excluded or ignored, held (an idle publish glob), not the tool's (a few named). */
  readonly unmanaged: VerifyOutcome['unmanaged'];
  readonly counts: Record<ProblemKind, number>;
  readonly problems: readonly Problem[];
  readonly checked: VerifyOutcome['checked'];
  readonly requests: VerifyOutcome['requests'];
  /** The listing judged was the sync's before it, this many seconds old (the pipeline, when sync changed nothing). */
  readonly listingAgeSeconds?: number;
  /** With --public: the answers' latency (ms) and its warnings (a slow p95), which never make `ok` false. */
  readonly public?: PublicSummary;
  readonly seconds: number;
  readonly ok: boolean;
  /** Set when the state record says the bucket holds changes no release records (a writer stopped before publishing). */
  readonly latestBehind?: string;
  /** The bucket differs from the build and its latest release is a rollback. */
  readonly rolledBack?: VerifyOutcome['rolledBack'];
  /** Differences from the build that are the bucket holding its latest release (counted as `at-release`, not as problems). */
  readonly atRelease?: Omit<NonNullable<VerifyOutcome['atRelease']>, 'keys'>;
  /** A run was writing to the bucket while verify read it (who holds the writer lock). */
  readonly writing?: string;
  readonly repair?: {
    readonly dryRun: boolean;
    readonly plan: RepairOutcome['totals'];
    readonly deleteRefusal?: string;
    /** The repair plan by key: create (missing), update (corrupt), retag (headers), delete, archive (kept first). */
    readonly actions: KeysByKind;
    readonly completed?: Record<string, number>;
    /** What the repair did, by key. */
    readonly done?: { readonly written: readonly string[]; readonly deleted: readonly string[] };
    readonly failures: readonly { key: string; action: string; reason: string }[];
    readonly stopped?: string;
    /** The release the repair recorded. */
    readonly release?: string;
    /** Why the repaired bucket is left with changes no release records (a scoped repair after a stopped run). */
    readonly unrecorded?: string;
    /** The release that describes the bucket after the repair. */
    readonly latest?: string;
  };
  /** The verify that ran after the repair. */
  readonly after?: Omit<VerifyReport, 'after' | 'repair' | 'environment' | 'bucket' | 'mode'>;
}

export function problemsOf(outcome: VerifyOutcome): Problem[] {
  const at = outcome.atRelease;
  const atKeys = new Set(at?.keys);
  return [
    ...outcome.findings.map((f) => (at && atKeys.has(f.key)
      ? { key: f.key, kind: 'at-release' as const, reason: `as release ${at.id} records it; the build ${f.kind === 'extra' ? 'does not have it' : f.kind === 'missing' ? 'has it' : 'differs'}` }
      : { key: f.key, kind: f.kind, reason: f.reason })),
    ...outcome.unreadable.map((u) => ({ key: u.key, kind: 'unreadable' as const, reason: u.reason })),
    ...outcome.publicProblems.map((p) => ({ key: p.key, kind: p.kind, reason: p.reason, url: p.url })),
  ];
}

function summarise(outcome: VerifyOutcome): NonNullable<VerifyReport['after']> {
  const problems = problemsOf(outcome);
  const counts = Object.fromEntries(PROBLEM_KINDS.map((k) => [k, problems.filter((p) => p.kind === k).length])) as Record<ProblemKind, number>;
  return {
    objects: { build: outcome.desiredCount, bucket: outcome.remoteCount, matching: outcome.matching, unmanaged: outcome.unmanaged.total },
    unmanaged: outcome.unmanaged, counts, problems,
    checked: outcome.checked, requests: outcome.requests,
    listingAgeSeconds: outcome.listingAgeSeconds === undefined ? undefined : Number(outcome.listingAgeSeconds.toFixed(3)), public: outcome.public,
    seconds: Number(outcome.seconds.toFixed(3)), ok: isClean(outcome),
  };
}

export function verifyReport(
  outcome: VerifyOutcome, context: { environment: string; bucket: string; mode: VerifyReport['mode']; against?: string },
  repair?: { outcome: RepairOutcome; dryRun: boolean; after?: VerifyOutcome },
): VerifyReport {
  const final = repair?.after ?? (repair?.outcome.result ? undefined : outcome);
  const writing = repair ? undefined : outcome.writing; // a repair waited for the writer's lock
  const base = { ...context, ...summarise(outcome), latestBehind: final?.state.unreleased && !writing ? LATEST_BEHIND : undefined, rolledBack: outcome.rolledBack, writing,
    atRelease: outcome.atRelease && (({ keys: _keys, ...rest }) => rest)(outcome.atRelease) };
  if (!repair) return base;
  const r = repair.outcome;
  const failures = r.result?.failures ?? [];
  const after = repair.after ? summarise(repair.after) : undefined;
  return {
    ...base,
    ok: (after ? after.ok && failures.length === 0 : base.ok) && !r.unrecorded,
    repair: {
      dryRun: repair.dryRun, plan: r.totals, deleteRefusal: r.plan.deleteRefusal, actions: keysByKind(r.plan.actions),
      completed: r.result?.completed, done: keysDone(r.result), failures,
      stopped: r.result?.stopped, release: r.release?.id, unrecorded: r.unrecorded, latest: r.describedBy,
    },
    after,
  };
}

/** What verify says when the state record shows a writer stopped before recording a release. */
export const LATEST_BEHIND = 'the last run that wrote to this bucket stopped before recording a release, so the latest release does not '
  + 'describe the bucket: the next `gulp sync` (or `gulp verify --repair`, `gulp restore`) records it';

function countsLine(report: Pick<VerifyReport, 'objects' | 'counts'>, against = 'the build'): string {
  const c = report.counts;
  const extra = [c.unreadable && `${c.unreadable} unreadable`, c['public-missing'] && `${c['public-missing']} missing publicly`,
    c['public-stale'] && `${c['public-stale']} stale in the CDN cache`, c['public-wrong'] && `${c['public-wrong']} served wrong`,
    c['public-cors'] && `${c['public-cors']} without the CORS headers browsers need`].filter(Boolean);
  const at = c['at-release'] ? `${c['at-release']} as the bucket's latest release records them, ` : '';
  return `${report.objects.build} objects in ${against}, ${report.objects.bucket} in the bucket, ${report.objects.matching} verified: `
    + `${at}${c.missing} missing, ${c.corrupt} corrupt, ${c['stale-headers']} stale headers, ${c.extra} extra${extra.length ? `, ${extra.join(', ')}` : ''}; `
    + `${report.objects.unmanaged} unmanaged`;
}

export function formatVerify(report: VerifyReport, limit = 20): string {
  const modes = ['listing', report.mode.deep && 'read back', report.mode.public && 'public URLs'].filter(Boolean).join(' + ');
  const sample = report.mode.sample !== undefined ? `, sample ${report.mode.sample} %` : '';
  const lines = [`verify (${modes}${sample}): ${countsLine(report, report.against)}`];
  if (report.listingAgeSeconds !== undefined) {
    lines.push(`  the listing judged is the one sync read ${report.listingAgeSeconds.toFixed(1)} s earlier (it changed nothing); \`gulp verify\` lists the bucket again`);
  }
  if (report.checked.deep > 0) lines.push(`  read back ${report.checked.deep} objects, ${formatBytes(report.checked.deepBytes)}`);
  const unmanaged = formatUnmanaged(report.unmanaged);
  if (unmanaged) lines.push(`  ${unmanaged}`);
  if (report.public) {
    const { latency, origins } = report.public;
    lines.push(`  public latency: ${formatLatency(latency)}${origins.length ? `; CORS checked from ${origins.join(', ')}` : ''}`);
  }
  for (const p of report.problems.slice(0, limit)) lines.push(`  ${p.kind.padEnd(14)} ${showKey(p.key)}: ${p.reason}`);
  if (report.problems.length > limit) lines.push(`  … and ${report.problems.length - limit} more (all in the report)`);
  const r = report.repair;
  if (r) {
    const t = r.plan;
    lines.push(`repair${r.dryRun ? ' plan (dry run, nothing changed)' : ''}: ${t.creates} upload missing, ${t.updates} re-upload corrupt, `
      + `${t.retags} fix headers (copy), ${t.deletes} delete; ${formatBytes(t.uploadBytes)}`);
    if (r.deleteRefusal) lines.push(`  deletes: ${r.deleteRefusal}`);
    if (r.stopped) lines.push(`  ${r.stopped}`);
    for (const f of r.failures.slice(0, limit)) lines.push(`  ${f.action} ${f.key}: ${f.reason}`);
    if (r.unrecorded) lines.push(`  not recorded: ${r.unrecorded}`);
    if (r.release) lines.push(`  recorded as release ${r.release} (\`gulp releases\`; undo with \`${restoreCommand(report.environment, 'previous')}\`)`);
    else if (r.latest && r.completed) lines.push(`  no new release: the latest, ${r.latest}, already describes the repaired bucket`);
  }
  if (report.after) lines.push(`verify after repair: ${report.after.ok ? 'clean' : 'NOT clean'}: ${countsLine(report.after)}`);
  for (const warning of report.public?.warnings ?? []) lines.push(`warning: ${warning}`);
  const next = nextStep(report.after ? { ...report, ...report.after } : report);
  if (next && !r?.dryRun) lines.push(`next: ${next}`);
  if (report.latestBehind) lines.push(`note: ${report.latestBehind}`);
  return lines.join('\n');
}

export function writeVerifyReport(report: VerifyReport, dir: string | undefined, secrets: readonly string[]): Promise<string | undefined> {
  const c = (report.after ?? report).counts;
  const published = report.public; // measured by the first verify: a repair does not change how fast the CDN answers
  return writeRunReport('verify', report, { dir, secrets, stepSummary: [
    `### Image verify (${report.environment}${report.repair ? ', repair' : ''}) ${report.ok ? '✅' : '❌'}`, '',
    `| ${PROBLEM_KINDS.join(' | ')} |`, `|${PROBLEM_KINDS.map(() => '---').join('|')}|`,
    `| ${PROBLEM_KINDS.map((k) => c[k]).join(' | ')} |`, '',
    ...(published ? [`Public latency: ${formatLatency(published.latency)}`, ...published.warnings.map((w) => `> ⚠️ ${w}`), ''] : []),
  ].join('\n') });
}
