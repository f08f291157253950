/**
 * The commands a generated history runs, as the gulp tasks run them (the same library calls with the
 * same options), against any ObjectStore: the in-process runs hand them a CrashingStore, the SIGKILL
 * runs a forked worker's own store. Each answers whether it completed and whether extras were kept.
 */
import { AdaptiveLimiter } from '../../lib/execute/adaptive-limiter';
import { DEFAULT_IMAGE_CONFIG } from '../../lib/images/config';
import type { Finding } from '../../lib/plan/verify-plan';
import { runPrune } from '../../lib/releases/run-prune';
import { releaseIds } from '../../lib/releases/release-store';
import { runFullRestore } from '../../lib/restore/run-full-restore';
import { runRollback } from '../../lib/restore/run-rollback';
import type { ObjectStore } from '../../lib/storage/object-store';
import { runSync } from '../../lib/sync/run-sync';
import { requireManifest } from '../../lib/bucket/desired';
import { repairBucket } from '../../lib/verify/repair-bucket';
import { runVerify } from '../../lib/verify/run-verify';

export const HISTORY_CACHE = 'public, max-age=60';
/** No cap but the built-in "not most of the bucket": the histories test the write path, not the caps. */
const LIMITS = { count: 10_000, percent: 100 };

export interface HistoryPaths {
  readonly src: string;
  readonly dist: string;
  readonly cache: string;
}

export type WritingStep =
  | { readonly kind: 'sync'; readonly delete: boolean }
  | { readonly kind: 'repair'; readonly delete: boolean; readonly deep: boolean }
  | { readonly kind: 'rollback'; readonly pick: number }
  | { readonly kind: 'rebuild'; readonly force: boolean; readonly delete: boolean }
  | { readonly kind: 'prune'; readonly keep: number };

export interface StepResult {
  /** The command finished and reported success, as its task would exit 0. */
  readonly ok: boolean;
  /** Objects no release lists may stay in the bucket (no --delete, or deletes refused by the guard). */
  readonly extrasKept: boolean;
  /** What happened, for the printed history. */
  readonly note: string;
}

const common = { concurrency: 4, quiet: true } as const;

/** Only extras left, and the command was allowed to keep them: what `gulp verify` would call clean but for extras. */
function cleanButExtras(findings: readonly Finding[], extrasKept: boolean): boolean {
  return findings.every((f) => f.kind === 'extra' && extrasKept);
}

/** Refusals a command makes by design (a prune running, unrecorded changes before a prune, a state record changed meanwhile, a release gone or pruned). */
const REFUSALS = new Set(['E_PRUNE_RUNNING', 'E_UNRELEASED', 'E_STATE_CONFLICT', 'E_NO_RELEASE', 'E_PRUNED']);

export async function runWritingStep(store: ObjectStore, paths: HistoryPaths, step: WritingStep): Promise<StepResult> {
  return runStep(store, paths, step).catch((error: { code?: string; message?: string }) => {
    if (!REFUSALS.has(error.code ?? '')) throw error;
    return { ok: false, extrasKept: true, note: `refused: ${error.message}` };
  });
}

async function runStep(store: ObjectStore, paths: HistoryPaths, step: WritingStep): Promise<StepResult> {
  const limiter = new AdaptiveLimiter(4);
  if (step.kind === 'sync') {
    const out = await runSync(store, {
      ...common, dist: paths.dist, cacheControl: HISTORY_CACHE, scope: {}, delete: step.delete, limits: LIMITS, dryRun: false, limiter, environment: 'test',
    });
    const failed = (out.result?.failures.length ?? 0) > 0 || Boolean(out.result?.stopped) || Boolean(out.unrecorded);
    return { ok: !failed, extrasKept: !step.delete || Boolean(out.plan.deleteRefusal), note: `${out.plan.actions.length} actions${out.release ? `, release ${out.release.id}` : ''}` };
  }
  if (step.kind === 'repair' || step.kind === 'rebuild') {
    const verifyOptions = { ...common, cacheControl: HISTORY_CACHE, scope: {}, deep: step.kind === 'repair' && step.deep };
    const repairOptions = { ...common, delete: step.delete, limits: LIMITS, dryRun: false, limiter, environment: 'test' };
    let repaired;
    let after;
    if (step.kind === 'rebuild') {
      const out = await runFullRestore(store, {
        build: { ...common, src: paths.src, dest: paths.dist, cacheDir: paths.cache, config: DEFAULT_IMAGE_CONFIG, scope: {}, allowEmpty: true },
        verify: verifyOptions, repair: repairOptions, force: step.force,
      });
      ({ repair: repaired, after } = out);
    } else {
      const manifest = await requireManifest(paths.dist);
      repaired = await repairBucket(store, await runVerify(store, { ...verifyOptions, manifest }), { ...repairOptions, dist: paths.dist, manifest });
      after = await runVerify(store, { ...verifyOptions, deep: false, manifest });
    }
    const extrasKept = !step.delete || Boolean(repaired.plan.deleteRefusal);
    const failed = (repaired.result?.failures.length ?? 0) > 0 || Boolean(repaired.result?.stopped) || Boolean(repaired.unrecorded);
    return { ok: !failed && after !== undefined && cleanButExtras(after.findings, extrasKept), extrasKept, note: `${repaired.plan.actions.length} actions` };
  }
  if (step.kind === 'rollback') {
    const ids = await releaseIds(store);
    if (ids.length === 0) return { ok: false, extrasKept: false, note: 'no release to restore' };
    const id = ids[step.pick % ids.length] as string;
    const out = await runRollback(store, { ...common, release: id, environment: 'test', limits: LIMITS, dryRun: false, limiter });
    const blocked = out.plan.unrecoverable.length > 0 || Boolean(out.plan.deleteRefusal);
    const failed = blocked || (out.result?.failures.length ?? 0) > 0 || Boolean(out.result?.stopped);
    const why = out.plan.unrecoverable[0]?.reason ?? out.plan.deleteRefusal ?? out.result?.failures[0]?.reason ?? '';
    return { ok: !failed, extrasKept: false, note: `to ${id}: ${out.plan.actions.length} actions${failed ? `, refused or failed: ${why}` : ''}` };
  }
  const out = await runPrune(store, { keep: step.keep, limits: LIMITS, dryRun: false, concurrency: 4, limiter, graceMs: 0 });
  const failed = (out.result?.failures.length ?? 0) > 0 || Boolean(out.result?.stopped);
  return { ok: !failed, extrasKept: true, note: `kept ${out.plan.kept.length}, deleted ${out.result?.deleted.length ?? 0}` };
}
