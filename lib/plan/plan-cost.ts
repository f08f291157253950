/** What a sync plan will cost in requests and dollars, by R2 operation class (r2-facts.md §4). */
import { R2_PRICES } from '../cost/r2-prices';
import type { SyncPlan } from './sync-plan';

export { R2_PRICES };

export interface RequestCount {
  /** Class A: ListObjectsV2 pages, PutObject, CopyObject. */
  classA: number;
  /** Class B: HeadObject, GetObject. */
  classB: number;
  /** Not billed: DeleteObjects batches. */
  free: number;
}

export interface PlanTotals {
  creates: number;
  updates: number;
  retags: number;
  /** Server-side copies that preserve what is overwritten or deleted. */
  archives: number;
  /** Server-side copies from the archive. */
  restores: number;
  deletes: number;
  keep: number;
  extras: number;
  /** Bytes to upload. */
  uploadBytes: number;
  requests: RequestCount;
  estimatedCostUsd: number;
}

export function costOf(requests: RequestCount): number {
  return requests.classA * R2_PRICES.classA + requests.classB * R2_PRICES.classB;
}

/**
 * What a run that changes the bucket spends besides its actions (at most): PUTs of the writer lock, the
 * state record (marked, then saved), the release record, the pointer and the image manifest; HEADs of the
 * lock and the state record, GETs of the pointer and the previous release; the lock's delete.
 */
export const COMMIT_OVERHEAD: RequestCount = { classA: 6, classB: 4, free: 1 };

/** Totals for a plan; `listPages` and `heads` are the requests already spent to make it. */
export function planTotals(plan: SyncPlan, spent: { listPages: number; heads: number; gets: number }): PlanTotals {
  const count = (kind: string) => plan.actions.filter((a) => a.kind === kind).length;
  const creates = count('create');
  const updates = count('update');
  const retags = count('retag');
  const archives = count('archive');
  const restores = count('restore');
  const deletes = count('delete');
  const uploadBytes = plan.actions.reduce((sum, a) => sum + (a.kind === 'create' || a.kind === 'update' ? a.local.size : 0), 0);
  const overhead = plan.actions.length > 0 ? COMMIT_OVERHEAD : { classA: 0, classB: 0, free: 0 };
  const requests: RequestCount = {
    classA: spent.listPages + creates + updates + retags + archives + restores + overhead.classA,
    classB: spent.heads + spent.gets + overhead.classB,
    free: Math.ceil(deletes / 1000) + overhead.free,
  };
  return {
    creates, updates, retags, archives, restores, deletes, keep: plan.keep, extras: plan.extras.length, uploadBytes, requests,
    estimatedCostUsd: costOf(requests),
  };
}
