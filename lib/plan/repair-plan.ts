/**
 * Pure: verify's findings → a plan for the sync executor. Missing and corrupt objects are uploaded
 * from dist/, stale headers are fixed by a copy, extras are deleted only with --delete and under the
 * same delete guard as sync.
 */
import type { Finding } from './verify-plan';
import { ACTION_ORDER, deleteRefusal, type DeleteLimits, type SyncAction, type SyncPlan } from './sync-plan';

export interface RepairInput {
  readonly findings: readonly Finding[];
  readonly delete: boolean;
  readonly limits: DeleteLimits;
  readonly desiredCount: number;
  readonly remoteCount: number;
  /** Objects verified as matching: the plan keeps them. */
  readonly keep: number;
  /** The run's scope as its flags said it; undefined for the whole bucket. */
  readonly scope?: string;
}

export function planRepair(input: RepairInput): SyncPlan {
  const actions: SyncAction[] = [];
  const extras = [];
  for (const f of input.findings) {
    if (f.kind === 'missing') actions.push({ kind: 'create', key: f.key, local: f.local });
    else if (f.kind === 'corrupt') actions.push({ kind: 'update', key: f.key, local: f.local, remote: f.remote, damaged: f.damaged });
    else if (f.kind === 'stale-headers') actions.push({ kind: 'retag', key: f.key, local: f.local, remote: f.remote });
    else extras.push(f.remote);
  }
  const refusal = deleteRefusal(input, extras);
  if (!refusal) for (const remote of extras) actions.push({ kind: 'delete', key: remote.key, remote });
  actions.sort((a, b) => ACTION_ORDER[a.kind] - ACTION_ORDER[b.kind]);
  return { actions, keep: input.keep, inspect: [], extras, deleteRefusal: refusal, remoteCount: input.remoteCount };
}
