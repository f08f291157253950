/**
 * Pure sync planning: desired objects + bucket listing + what is recorded about remote objects →
 * creates, updates, header-only retags, deletes (guarded), and the keys that need a HEAD first.
 */
import {
  compareContent, compareHeaders, matchObjects, type DesiredObject, type RecordedObject, type RemoteObject,
} from './match';
import { explainChanges, type ChangeNotes, type ServedHeaders } from './explain-changes';

export type SyncAction =
  | { readonly kind: 'create'; readonly key: string; readonly local: DesiredObject }
  | {
    readonly kind: 'update'; readonly key: string; readonly local: DesiredObject; readonly remote: RemoteObject;
    /** A deep read showed its bytes are not what its ETag claims: no release holds them, nothing to archive. */
    readonly damaged?: boolean;
  }
  | { readonly kind: 'retag'; readonly key: string; readonly local: DesiredObject; readonly remote: RemoteObject }
  | { readonly kind: 'delete'; readonly key: string; readonly remote: RemoteObject }
  /**
   * Preserve the object at `sourceKey` (about to be overwritten or deleted) by a server-side copy to `key`;
   * `expect` is what the listing showed of it, and the copy must come out the same.
   */
  | { readonly kind: 'archive'; readonly key: string; readonly sourceKey: string; readonly expect: ExpectedCopy }
  /** Put back preserved bytes: a server-side copy from the archive (`sourceKey`) with `local`'s headers. */
  | {
    readonly kind: 'restore'; readonly key: string; readonly sourceKey: string; readonly local: DesiredObject; readonly remote?: RemoteObject;
    /** Copy this version of `sourceKey` (a bucket with native versioning); else the current object, an archived copy. */
    readonly sourceVersionId?: string;
  };

/** What a server-side copy must produce: the source's ETag (its MD5 for a single-part object) and size. */
export interface ExpectedCopy {
  readonly etag: string;
  readonly size: number;
}

export interface DeleteLimits {
  /** Most objects one run may delete. */
  readonly count: number;
  /** Most objects one run may delete, as a percentage of the objects in scope in the bucket. */
  readonly percent: number;
  /**
   * --allow-mass-delete: lift the guards a build-driven delete meets whatever the caps say (the build has
   * nothing in scope, or the deletes are most of the bucket). The caps above still apply.
   */
  readonly allowMass?: boolean;
}

/** The flag that lifts the "most of the bucket" and "nothing in the manifest" guards. */
export const ALLOW_MASS_DELETE = '--allow-mass-delete';

export const DEFAULT_DELETE_LIMITS: DeleteLimits = { count: 1000, percent: 10 };
/** Above this share of the bucket, deletes are refused whatever the limits say. */
export const MOST_OF_THE_BUCKET = 50;

export interface SyncPlanInput {
  readonly desired: readonly DesiredObject[];
  readonly remote: readonly RemoteObject[];
  readonly records: ReadonlyMap<string, RecordedObject>;
  readonly delete: boolean;
  readonly limits: DeleteLimits;
  /** The run's scope as its flags said it (`--type album --filter …`); undefined for the whole bucket. */
  readonly scope?: string;
  /** --force: every object the bucket already holds is sent again (an update: archived first like any other). */
  readonly force?: boolean;
  /** Headers this run's HEADs saw objects served with: what header-only copies change, for the plan. */
  readonly served?: ReadonlyMap<string, ServedHeaders>;
}

export interface SyncPlan {
  /** Writes in order (creates, updates, retags), then deletes: the executor runs deletes last. */
  readonly actions: readonly SyncAction[];
  readonly keep: number;
  /** Keys the listing and records cannot judge (multipart, or no current record): HEAD, then plan again. */
  readonly inspect: readonly string[];
  /** Objects in the bucket (in scope) that the build does not have. */
  readonly extras: readonly RemoteObject[];
  /** Why extras are not deleted, when they are not. */
  readonly deleteRefusal?: string;
  readonly remoteCount: number;
  /** Why objects the tool did not write are replaced, and what header-only copies change (a sync's plan). */
  readonly notes?: ChangeNotes;
}

export const ACTION_ORDER: Record<SyncAction['kind'], number> = { archive: 0, create: 1, update: 2, restore: 3, retag: 4, delete: 5 };

export interface DeleteGuardInput {
  readonly delete: boolean;
  readonly limits: DeleteLimits;
  /** Objects the build wants in scope: none means the manifest is missing or empty. */
  readonly desiredCount: number;
  /** Objects in the bucket in scope. */
  readonly remoteCount: number;
  /**
   * The wanted objects come from a build (default): refuse, whatever the limits, deletes driven by an empty
   * manifest or that would remove most of the bucket (an empty or half-built dist/). A rollback's target is
   * a recorded release, shown first: only --max-delete holds it back.
   */
  readonly fromBuild?: boolean;
  /** The run's scope as its flags said it; undefined for the whole bucket. */
  readonly scope?: string;
}

/** Why these extras may not be deleted (undefined: they may). Shared by sync, verify --repair and restore. */
export function deleteRefusal(input: DeleteGuardInput, extras: readonly { key: string }[]): string | undefined {
  if (extras.length === 0) return undefined;
  const n = extras.length;
  if (!input.delete) return `${n} object(s) in the bucket are not in the build: kept (pass --delete to remove them)`;
  const guarded = input.fromBuild !== false && input.limits.allowMass !== true;
  const percent = (n / Math.max(1, input.remoteCount)) * 100;
  const of = input.scope ? `the objects in scope (${input.scope})` : 'the bucket';
  // What lifts this guard, and the cap too when it would refuse next: the hint must be enough on its own.
  const lift = () => [ALLOW_MASS_DELETE, overLimits(n, input.remoteCount, input.limits, of) && maxDeleteFor(n, percent, input.limits)]
    .filter(Boolean).join(' ');
  if (input.desiredCount === 0 && guarded) {
    const nothing = input.scope ? `nothing in this scope (${input.scope}) is in the manifest` : 'the local manifest is empty';
    return `refused to delete ${n} object(s): ${nothing} — check that dist/ is built (\`gulp build\`)`
      + `${input.scope ? ' and the scope is the one you meant' : ''}; if these deletes are intended, add ${lift()}`;
  }
  if (percent > MOST_OF_THE_BUCKET && guarded) {
    return `refused to delete ${n} of ${input.remoteCount} ${input.scope ? `objects in scope (${input.scope})` : 'objects'} (${percent.toFixed(0)} %): `
      + `that is most of ${input.scope ? 'the scope' : 'the bucket'} — check that dist/ is complete; if these deletes are intended, add ${lift()}`;
  }
  return overLimits(n, input.remoteCount, input.limits, of);
}

/** The --max-delete value that lets n deletes (percent % of the total) through. */
function maxDeleteFor(n: number, percent: number, limits: DeleteLimits): string {
  // A lone count lifts the percentage to 100 and a lone percentage the count to no limit (parseMaxDelete).
  return percent <= limits.percent ? `--max-delete ${n}` : `--max-delete ${Math.ceil(percent)}%`;
}

/** Why deleting n of `total` objects is over --max-delete (undefined: it is not). */
export function overLimits(n: number, total: number, limits: DeleteLimits, of: string): string | undefined {
  const percent = (n / Math.max(1, total)) * 100;
  if (n <= limits.count && percent <= limits.percent) return undefined;
  const count = Number.isFinite(limits.count) ? `${limits.count} objects, ` : '';
  return `refused to delete ${n} object(s) (${percent.toFixed(1)} % of ${of}): over --max-delete `
    + `(${count}${limits.percent} %); if these deletes are intended, pass ${maxDeleteFor(n, percent, limits)}`;
}

export function planSync(input: SyncPlanInput): SyncPlan {
  const actions: SyncAction[] = [];
  const extras: RemoteObject[] = [];
  const inspect: string[] = [];
  let keep = 0;
  for (const { key, local, remote } of matchObjects(input.desired, input.remote)) {
    if (local && !remote) { actions.push({ kind: 'create', key, local }); continue; }
    if (!local && remote) { extras.push(remote); continue; }
    if (!local || !remote) continue;
    const recorded = input.records.get(key);
    const content = compareContent(local, remote, recorded);
    // Unknown content is HEADed first even with --force: its SHA-256 names its archived copy.
    if (content === 'unknown') { inspect.push(key); continue; }
    if (content === 'different' || input.force) { actions.push({ kind: 'update', key, local, remote }); continue; }
    const headers = compareHeaders(local, remote, recorded);
    if (headers === 'unknown') inspect.push(key);
    else if (headers === 'different') actions.push({ kind: 'retag', key, local, remote });
    else keep += 1;
  }
  const refusal = deleteRefusal({ ...input, desiredCount: input.desired.length, remoteCount: input.remote.length }, extras);
  if (!refusal) for (const remote of extras) actions.push({ kind: 'delete', key: remote.key, remote });
  actions.sort((a, b) => ACTION_ORDER[a.kind] - ACTION_ORDER[b.kind]);
  const notes = explainChanges(actions, input.records, input.served ?? new Map());
  return { actions, keep, inspect, extras, deleteRefusal: refusal, remoteCount: input.remote.length, notes };
}
