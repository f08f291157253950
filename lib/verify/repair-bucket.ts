/**
 * `gulp verify --repair`: verify's findings become a plan (upload missing and corrupt objects from
 * dist/, copy to fix stale headers, delete extras only with --delete under the delete guard), applied
 * through the one write path: what is overwritten or deleted is archived first, and the repaired
 * bucket is recorded as a release. The caller verifies again afterwards; a repair is done only when
 * that comes back clean.
 */
import type { ApplyResult } from '../execute/apply-plan';
import type { AdaptiveLimiter } from '../execute/adaptive-limiter';
import { commitChange, needsRelease } from '../execute/commit-change';
import { preserveFirst } from '../execute/preserve';
import type { ImageManifest } from '../manifest/types';
import { planTotals, type PlanTotals } from '../plan/plan-cost';
import { planRepair } from '../plan/repair-plan';
import type { DeleteLimits, SyncPlan } from '../plan/sync-plan';
import { composeObjects, type Release, type ReleaseReason } from '../releases/release';
import type { ObjectStore } from '../storage/object-store';
import { refuseRemoteGone, remoteBytes } from '../bucket/remote-bytes';
import { distReader } from '../bucket/desired';
import { createProgress } from '../util/progress';
import type { VerifyOutcome } from './run-verify';

export interface RepairOptions {
  readonly dist: string;
  /** The build's manifest the bucket was verified against: archived with the release the repair records. */
  readonly manifest: ImageManifest;
  readonly delete: boolean;
  readonly limits: DeleteLimits;
  readonly dryRun: boolean;
  readonly concurrency: number;
  readonly environment: string;
  /** `repair` (`gulp verify --repair`) or `rebuild` (`gulp restore` from the sources). */
  readonly reason?: Extract<ReleaseReason, 'repair' | 'rebuild'>;
  readonly limiter?: AdaptiveLimiter;
  readonly quiet?: boolean;
  /** Asked before a plan that deletes is applied (`gulp restore --delete` needs --yes): throws to refuse. */
  readonly confirmDeletes?: (plan: SyncPlan) => Promise<void>;
}

export interface RepairOutcome {
  readonly plan: SyncPlan;
  readonly totals: PlanTotals;
  readonly result?: ApplyResult;
  /** The release that records the repaired bucket (none when the latest release already described it). */
  readonly release?: Release;
  /** Why the bucket is left with changes no release records (a scoped repair after a stopped run). */
  readonly unrecorded?: string;
  /** The release that describes the bucket after the repair (new or not). */
  readonly describedBy?: string;
}

export async function repairBucket(store: ObjectStore, verified: VerifyOutcome, options: RepairOptions): Promise<RepairOutcome> {
  const planned = planRepair({
    findings: verified.findings, delete: options.delete, limits: options.limits,
    desiredCount: verified.desiredCount, remoteCount: verified.remoteCount, keep: verified.matching, scope: verified.scope,
  });
  const records = new Map(verified.records);
  const { plan, versioned, requests } = await preserveFirst(store, planned, records);
  await refuseRemoteGone(store, plan.actions, options.dist);
  const change = { plan, versioned, records, state: verified.state, behind: verified.behind, wholeBucket: verified.wholeBucket };
  const totals = planTotals(plan, { listPages: 0, heads: requests.head, gets: requests.get + (needsRelease(change) ? 2 : 0) });
  if (options.dryRun || !needsRelease(change)) return { plan, totals };
  if (plan.actions.some((a) => a.kind === 'delete')) await options.confirmDeletes?.(plan);
  const writes = plan.actions.filter((a) => a.kind !== 'delete').length;
  const progress = createProgress({ label: 'repair', total: writes, unit: 'obj', silent: options.quiet });
  const committed = await commitChange(store, {
    ...change,
    release: {
      environment: options.environment, reason: options.reason ?? 'repair', manifest: options.manifest,
      objects: (previous) => composeObjects(previous?.objects, verified.desired, verified.inScope),
    },
  }, {
    concurrency: options.concurrency, limiter: options.limiter, readBody: distReader(options.dist, remoteBytes(store)),
    onDone: (_action, bytes) => progress.tick(1, bytes),
  }).finally(() => progress.done());
  return { plan, totals, result: committed.result, release: committed.release, unrecorded: committed.unrecorded, describedBy: committed.describedBy };
}
