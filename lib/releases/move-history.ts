/**
 * `gulp releases --move-history`: the history a bucket kept before R2_ARCHIVE_BUCKET was set (`_releases/`,
 * `_archive/`, `_state/` in the images' bucket) moved to the archive bucket. Planned (pure) from the two
 * listings, then applied by the one executor: server-side copies first, each checked by its ETag, and
 * the originals deleted only once every copy is verified. Refused, moving nothing, when the archive
 * bucket already holds a different object under one of those keys (its own history, started after the switch).
 */
import { AssetsError } from '../errors';
import { applyPlan, type ApplyResult } from '../execute/apply-plan';
import type { SyncAction, SyncPlan } from '../plan/sync-plan';
import { listAll, type ListedObject, type ObjectStore } from '../storage/object-store';
import { SplitStore, type BucketStore } from '../storage/split-store';
import { LOCK_KEY, WriterLock } from '../bucket/writer-lock';
import { RESERVED_PREFIXES } from '../validate/object-key';

export interface MovePlan extends SyncPlan {
  /** Keys to copy to the archive bucket (then delete from the images' bucket). */
  readonly copies: readonly ListedObject[];
  /** Already in the archive bucket with the same ETag: only the original is deleted. */
  readonly present: readonly string[];
  /** In both buckets with different ETags: the move is refused. */
  readonly conflicts: readonly string[];
  readonly bytes: number;
}

/** Pure: what moving `left` (the images' bucket's history) onto `there` (the archive bucket's) does. */
export function planMove(left: readonly ListedObject[], there: readonly ListedObject[]): MovePlan {
  const archived = new Map(there.map((o) => [o.key, o]));
  const copies: ListedObject[] = [];
  const present: ListedObject[] = [];
  const conflicts: string[] = [];
  for (const o of left) {
    if (o.key === LOCK_KEY) continue; // a writer's lock: refused before planning
    const other = archived.get(o.key);
    if (!other) copies.push(o);
    else if (other.etag === o.etag && other.size === o.size) present.push(o);
    else conflicts.push(o.key);
  }
  const actions: SyncAction[] = conflicts.length > 0 ? [] : [
    ...copies.map((o) => ({ kind: 'archive' as const, key: o.key, sourceKey: o.key, expect: { etag: o.etag, size: o.size } })),
    ...[...copies, ...present].map((o) => ({ kind: 'delete' as const, key: o.key, remote: o })),
  ];
  return {
    actions, keep: 0, inspect: [], extras: [], remoteCount: left.length, copies, present: present.map((o) => o.key), conflicts,
    bytes: copies.reduce((sum, o) => sum + o.size, 0),
    deleteRefusal: conflicts.length > 0 ? `${conflicts.length} key(s) are in both buckets with different contents (e.g. ${conflicts[0]})` : undefined,
  };
}

/** Copies land in the archive bucket (from the images' bucket, server-side); deletes and reads hit the images' bucket. */
class MoveView implements ObjectStore {
  readonly description: string;
  constructor(private readonly from: BucketStore, private readonly to: BucketStore) {
    this.description = `history of "${from.bucket}" → "${to.bucket}"`;
  }
  list: ObjectStore['list'] = (o) => this.from.store.list(o);
  versioning: ObjectStore['versioning'] = () => this.from.store.versioning();
  listVersions: ObjectStore['listVersions'] = (o) => this.from.store.listVersions(o);
  headVersion: ObjectStore['headVersion'] = (k, v) => this.from.store.headVersion(k, v);
  head: ObjectStore['head'] = (k) => this.to.store.head(k); // checkCopy's HEAD of what was written
  put: ObjectStore['put'] = () => Promise.reject(new Error('moving history uploads nothing'));
  copy: ObjectStore['copy'] = (r) => this.to.store.copy({ ...r, sourceBucket: this.from.bucket });
  deleteMany: ObjectStore['deleteMany'] = (keys) => this.from.store.deleteMany(keys);
  get: ObjectStore['get'] = (k) => this.from.store.get(k);
}

async function historyOf(store: ObjectStore): Promise<ListedObject[]> {
  return (await Promise.all(RESERVED_PREFIXES.map((prefix) => listAll(store, { prefix })))).flat();
}

export interface MoveOutcome {
  readonly plan: MovePlan;
  readonly from: string;
  readonly to: string;
  readonly result?: ApplyResult;
}

export async function moveHistory(store: ObjectStore, options: { dryRun: boolean; concurrency: number }): Promise<MoveOutcome> {
  if (!(store instanceof SplitStore)) {
    throw new AssetsError('E_USAGE', '--move-history moves history into R2_ARCHIVE_BUCKET, which is not set', { hint: 'set R2_ARCHIVE_BUCKET to the bucket that should keep the history, then run it again' });
  }
  const { images, records } = store.buckets;
  const plan = async () => {
    const [left, there] = await Promise.all([historyOf(images.store), historyOf(records.store)]);
    if (left.some((o) => o.key === LOCK_KEY)) {
      throw new AssetsError('E_LOCKED', `the images' bucket "${images.bucket}" has a writer lock (${LOCK_KEY}): a run without R2_ARCHIVE_BUCKET may be writing its history; nothing was moved`,
        { hint: 'let that run finish (or, if none is running, delete the stale lock), then run the move again' });
    }
    return planMove(left, there);
  };
  const planned = await plan();
  const base = { from: images.bucket, to: records.bucket };
  if (options.dryRun || planned.conflicts.length > 0 || planned.actions.length === 0) return { plan: planned, ...base };
  const lock = await WriterLock.acquire(store, 'releases --move-history');
  try {
    const locked = await plan();
    if (locked.conflicts.length > 0) return { plan: locked, ...base };
    const result = await applyPlan(locked, new MoveView(images, records), {
      concurrency: options.concurrency, signal: lock,
    });
    return { plan: locked, ...base, result };
  } finally {
    await lock.release().catch(() => undefined);
  }
}

/** The move's plan and, once applied, what it did; `asking`: the plan shown before the confirmation. */
export function formatMove(outcome: MoveOutcome, asking = false): string {
  const { plan, from, to, result } = outcome;
  const lines = [`move history from "${from}" to "${to}": copy ${plan.copies.length} object(s) (${plan.bytes} bytes) server-side, each checked by its ETag; `
    + `${plan.present.length} already there; then delete ${plan.copies.length + plan.present.length} original(s) from "${from}"`];
  if (plan.conflicts.length > 0) {
    lines.push(`refused, nothing was moved: "${to}" already holds different objects under ${plan.conflicts.length} of those keys (its own history, begun after R2_ARCHIVE_BUCKET was set):`);
    for (const key of plan.conflicts.slice(0, 20)) lines.push(`  ${key}`);
  } else if (!result) {
    if (!asking) lines.push(plan.actions.length === 0 ? 'nothing to move' : 'dry run: nothing was moved');
  } else {
    lines.push(`copied ${result.completed.archive}, deleted ${result.deleted.length} original(s), ${result.failures.length} failed`);
    if (result.stopped) lines.push(`  ${result.stopped}`);
    for (const f of result.failures.slice(0, 20)) lines.push(`  ${f.action} ${f.key}: ${f.reason}`);
  }
  return lines.join('\n');
}
