/**
 * `gulp verify --repair`: verify's findings become a plan for the sync executor (upload missing and
 * corrupt objects from dist/, copy to fix stale headers, delete extras only with --delete under the
 * delete guard). The caller verifies again afterwards; a repair is done only when that comes back clean.
 */
import { applyPlan, type ApplyResult } from '../execute/apply-plan';
import type { AdaptiveLimiter } from '../execute/adaptive-limiter';
import { planTotals, type PlanTotals } from '../plan/plan-cost';
import { planRepair } from '../plan/repair-plan';
import type { DeleteLimits, SyncPlan } from '../plan/sync-plan';
import type { ObjectStore } from '../storage/object-store';
import { distReader } from '../sync/run-sync';
import { recordResult, writeSyncState } from '../sync/state-record';
import { createProgress } from '../util/progress';
import type { VerifyOutcome } from './run-verify';

export interface RepairOptions {
  readonly dist: string;
  readonly delete: boolean;
  readonly limits: DeleteLimits;
  readonly dryRun: boolean;
  readonly concurrency: number;
  readonly limiter?: AdaptiveLimiter;
  readonly quiet?: boolean;
}

export interface RepairOutcome {
  readonly plan: SyncPlan;
  readonly totals: PlanTotals;
  readonly result?: ApplyResult;
}

export async function repairBucket(store: ObjectStore, verified: VerifyOutcome, options: RepairOptions): Promise<RepairOutcome> {
  const plan = planRepair({
    findings: verified.findings, delete: options.delete, limits: options.limits,
    desiredCount: verified.desiredCount, remoteCount: verified.remoteCount, keep: verified.matching,
  });
  const totals = planTotals(plan, { listPages: 0, heads: 0, gets: 0 });
  if (options.dryRun || plan.actions.length === 0) return { plan, totals };
  const writes = plan.actions.filter((a) => a.kind !== 'delete').length;
  const progress = createProgress({ label: 'repair', total: writes, unit: 'obj', silent: options.quiet });
  const result = await applyPlan(plan, store, {
    concurrency: options.concurrency, limiter: options.limiter, readBody: distReader(options.dist),
    onDone: (_action, bytes) => progress.tick(1, bytes),
  });
  progress.done();
  const records = new Map(verified.records);
  if (recordResult(records, result)) await writeSyncState(store, records);
  return { plan, totals, result };
}
