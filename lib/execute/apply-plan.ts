/**
 * The one executor: applies a plan to a store. Archive copies run first, and unless every one of them
 * succeeded nothing is overwritten or deleted; then the writes; deletes last, only when every write
 * succeeded. Requests run under the adaptive limiter; every failure is collected with its key; past the
 * failure threshold no new work is started. Every server-side copy is checked against what it should
 * have produced. Single-part PUTs are atomic, so an interrupted run leaves no partial objects, and a
 * rerun's plan converges.
 */
import { messageOf } from '../errors';
import type { ExpectedCopy, SyncAction, SyncPlan } from '../plan/sync-plan';
import { headersHash, isMultipartEtag, type DesiredObject } from '../plan/match';
import type { ObjectStore, WriteResult } from '../storage/object-store';
import { md5Of } from '../util/hash';
import { mapPool } from '../util/pool';
import { AdaptiveLimiter } from './adaptive-limiter';

export interface ApplyOptions {
  readonly concurrency: number;
  /** The bytes of a local object (from dist/): needed only by a plan that uploads (a rollback, a prune copies or deletes). */
  readonly readBody?: (object: DesiredObject) => Promise<Buffer>;
  /** Stop starting new writes once more than this share of them failed (the seed's 5 % alert). */
  readonly failureThreshold?: number;
  readonly limiter?: AdaptiveLimiter;
  readonly onDone?: (action: SyncAction, bytes: number) => void;
  /** Aborted when the run lost its writer lock: no new work starts (and no delete). */
  readonly signal?: StopSignal;
}

/** What stops a run starting new writes (the writer lock: lost, or its lease ran out unrenewed). Read before each write. */
export interface StopSignal { readonly aborted: boolean; readonly reason?: unknown }

/** A signal that is aborted when any of the given ones is (the writer lock, Ctrl-C), with the first one's reason. */
export function anySignal(...signals: readonly (StopSignal | undefined)[]): StopSignal {
  const given = signals.filter((s): s is StopSignal => s !== undefined);
  return {
    get aborted() { return given.some((s) => s.aborted); },
    get reason() { return given.find((s) => s.aborted)?.reason; },
  };
}

export interface ActionFailure { readonly key: string; readonly action: SyncAction['kind']; readonly reason: string }

export interface WrittenObject {
  readonly key: string;
  readonly etag: string;
  readonly versionId?: string;
  readonly local: DesiredObject;
  readonly kind: SyncAction['kind'];
}

export interface ApplyResult {
  readonly completed: Record<SyncAction['kind'], number>;
  readonly written: WrittenObject[];
  readonly deleted: string[];
  readonly failures: ActionFailure[];
  readonly bytesUploaded: number;
  /** Why the run stopped early or skipped its deletes. */
  readonly stopped?: string;
}

/** The metadata every object we write carries: its SHA-256 and the hash of its intended headers. */
export function objectMetadata(local: DesiredObject): Record<string, string> {
  return { sha256: local.sha256, 'headers-hash': headersHash(local) };
}

/** Headers of an archived copy: not served (the archive is private); restores set the release's headers. */
function archiveHeaders(sourceKey: string) {
  return { contentType: 'application/octet-stream', cacheControl: 'private, no-store', metadata: { 'archived-from': encodeURIComponent(sourceKey) } };
}

type WriteAction = Exclude<SyncAction, { kind: 'delete' }>;

/**
 * A copy must come out as the bytes it was meant to copy. A multipart ETag says nothing about the bytes,
 * so only the size is compared then; a store that answers a copy without an ETag is asked with a HEAD.
 */
async function checkCopy(store: ObjectStore, key: string, from: string, result: WriteResult, expected: ExpectedCopy): Promise<void> {
  const head = result.etag ? undefined : await store.head(key);
  const etag = result.etag || head?.etag || '';
  if (isMultipartEtag(expected.etag)) {
    if (head && head.size !== expected.size) throw new Error(`copy from ${from} has ${head.size} bytes, expected ${expected.size}`);
    return;
  }
  if (etag !== expected.etag) {
    throw new Error(`copy from ${from} came out with ETag ${etag || '(none)'}, expected ${expected.etag}: the source does not hold the bytes it should`
      + ' (it is not trusted; run `gulp verify --deep`)');
  }
}

async function write(store: ObjectStore, action: WriteAction, options: ApplyOptions): Promise<WriteResult & { bytes: number }> {
  if (action.kind === 'archive') {
    const result = await store.copy({ key: action.key, sourceKey: action.sourceKey, ...archiveHeaders(action.sourceKey) });
    await checkCopy(store, action.key, action.sourceKey, result, action.expect);
    return { ...result, bytes: 0 };
  }
  const { local } = action;
  const headers = { contentType: local.contentType, cacheControl: local.cacheControl, metadata: objectMetadata(local) };
  if (action.kind === 'retag' || action.kind === 'restore') {
    const sourceKey = action.kind === 'retag' ? action.key : action.sourceKey;
    const sourceVersionId = action.kind === 'restore' ? action.sourceVersionId : undefined;
    const result = await store.copy({ key: action.key, sourceKey, sourceVersionId, ...headers });
    await checkCopy(store, action.key, sourceKey, result, { etag: local.md5, size: local.size });
    return { ...result, bytes: 0 };
  }
  if (!options.readBody) throw new Error(`this command uploads nothing, but its plan asked to upload ${action.key}`);
  const body = await options.readBody(local);
  const md5 = md5Of(body);
  if (md5 !== local.md5 || body.length !== local.size) {
    // Outputs are hard links to the render cache: a file changed in place there would be linked back by a plain rebuild.
    throw new Error('the file in dist/ is not the one the manifest describes (changed after the build): run `gulp build --no-cache` to render it again');
  }
  return { ...(await store.put({ key: action.key, body, md5, ...headers })), bytes: body.length };
}

export async function applyPlan(plan: SyncPlan, store: ObjectStore, options: ApplyOptions): Promise<ApplyResult> {
  const completed: Record<SyncAction['kind'], number> = { archive: 0, create: 0, update: 0, restore: 0, retag: 0, delete: 0 };
  const failures: ActionFailure[] = [];
  const written: WrittenObject[] = [];
  const archives = plan.actions.filter((a): a is Extract<SyncAction, { kind: 'archive' }> => a.kind === 'archive');
  const writes = plan.actions.filter((a): a is Exclude<WriteAction, { kind: 'archive' }> => a.kind !== 'delete' && a.kind !== 'archive');
  const deletes = plan.actions.filter((a) => a.kind === 'delete');
  const threshold = options.failureThreshold ?? 0.05;
  const limiter = options.limiter ?? new AdaptiveLimiter(options.concurrency);
  let bytesUploaded = 0;
  let attempted = 0;
  let stopped: string | undefined;

  const overThreshold = () => attempted >= 20 && failures.length / attempted > threshold;
  const lostLock = () => {
    if (options.signal?.aborted) stopped ??= messageOf(options.signal.reason);
    return stopped !== undefined;
  };
  async function one(action: WriteAction): Promise<void> {
    if (lostLock()) return;
    attempted += 1;
    try {
      const { etag, versionId, bytes } = await write(store, action, options);
      completed[action.kind] += 1;
      bytesUploaded += bytes;
      if (action.kind !== 'archive') written.push({ key: action.key, etag, versionId, local: action.local, kind: action.kind });
      limiter.succeeded();
      options.onDone?.(action, bytes);
    } catch (error) {
      failures.push({ key: action.key, action: action.kind, reason: messageOf(error) });
      if (overThreshold()) {
        stopped = `stopped: ${failures.length} of ${attempted} writes failed (over ${threshold * 100} %); no new work was started`;
      }
    }
  }
  const phase = (actions: readonly WriteAction[]) =>
    mapPool(actions, Math.max(1, options.concurrency), (action) => (stopped ? Promise.resolve() : limiter.run(() => one(action))));

  // Preserve first: nothing is overwritten or deleted unless its bytes are safe in the archive.
  await phase(archives);
  if (failures.length > 0) stopped ??= `nothing overwritten or deleted: ${failures.length} archive cop${failures.length === 1 ? 'y' : 'ies'} failed`;
  await phase(writes);

  const deleted: string[] = [];
  if (deletes.length > 0) {
    if (failures.length > 0 || lostLock()) {
      stopped ??= `deletes skipped: ${failures.length} write(s) failed`;
    } else {
      const result = await limiter.run(() => store.deleteMany(deletes.map((d) => d.key)));
      deleted.push(...result.deleted);
      completed.delete = result.deleted.length;
      for (const f of result.failed) failures.push({ key: f.key, action: 'delete', reason: f.reason });
    }
  }
  return { completed, written, deleted, failures, bytesUploaded, stopped };
}
