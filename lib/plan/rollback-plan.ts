/**
 * Pure: the plan that turns the bucket back into a recorded release. Objects whose content differs
 * (or that are gone) are copied back from the archive with the release's headers; objects whose
 * headers alone differ are re-headered in place; objects the release did not have are deleted under
 * the delete guard. Whatever would be overwritten or deleted is archived first (see archive-plan.ts),
 * so the rollback itself can be rolled back.
 */
import { archiveKeys, desiredFromRelease, type Release, type ReleaseObject } from '../releases/release';
import type { ObjectVersion } from '../storage/object-store';
import { compareContent, compareHeaders, matchObjects, type RecordedObject, type RemoteObject } from './match';
import { holds } from './archive-plan';
import { ACTION_ORDER, deleteRefusal, type DeleteLimits, type ExpectedCopy, type SyncAction, type SyncPlan } from './sync-plan';

export interface RollbackInput {
  readonly target: Release;
  /** The bucket's objects (the tool's own prefixes excluded). */
  readonly remote: readonly RemoteObject[];
  readonly records: ReadonlyMap<string, RecordedObject>;
  /** The archive's objects as listed (key → ETag and size). */
  readonly archived: ReadonlyMap<string, ExpectedCopy>;
  /** On a bucket with native versioning: each key's versions (markers left out), newest first. */
  readonly versions?: ReadonlyMap<string, readonly ObjectVersion[]>;
  readonly limits: DeleteLimits;
}

/** The version of `key` holding the release's bytes: the one it recorded, else one with its MD5 as ETag (and its size). */
function versionHolding(o: ReleaseObject, versions: readonly ObjectVersion[] | undefined): string | undefined {
  const right = (v: ObjectVersion) => holds(v.etag === undefined ? undefined : { etag: v.etag, size: v.size ?? -1 }, { etag: o.md5, size: o.size });
  return versions?.find((v) => v.versionId === o.versionId && right(v))?.versionId ?? versions?.find(right)?.versionId;
}

/**
 * Where the release's bytes are in the archive: an archive object named for them whose listing shows
 * their MD5 and size. One that is there with other bytes is never copied from; it is named instead.
 */
function archivedSource(local: ExpectedCopy & { sha256: string; md5: string }, archived: ReadonlyMap<string, ExpectedCopy>) {
  const keys = archiveKeys(local);
  const source = keys.find((k) => holds(archived.get(k), local));
  if (source) return { source };
  const wrong = keys.filter((k) => archived.has(k)).map((k) => {
    const a = archived.get(k) as ExpectedCopy;
    return `${k} holds other bytes (ETag ${a.etag}, ${a.size} bytes; the release records MD5 ${local.md5}, ${local.size} bytes)`;
  });
  return { reason: wrong.length > 0 ? `its archived copy is corrupt: ${wrong.join('; ')}`
    : `no version or archived copy of its bytes (sha256 ${local.sha256.slice(0, 12)}…)` };
}

export interface RollbackPlan extends SyncPlan {
  /** Objects the release needs whose bytes are neither in the bucket nor in the archive. */
  readonly unrecoverable: readonly { key: string; reason: string }[];
}

export function planRollback(input: RollbackInput): RollbackPlan {
  const actions: SyncAction[] = [];
  const extras: RemoteObject[] = [];
  const inspect: string[] = [];
  const unrecoverable: { key: string; reason: string }[] = [];
  let keep = 0;
  const desired = Object.entries(input.target.objects).map(([key, o]) => desiredFromRelease(key, o));
  for (const { key, local, remote } of matchObjects(desired, input.remote)) {
    if (!local) { if (remote) extras.push(remote); continue; }
    const recorded = input.records.get(key);
    const content = remote ? compareContent(local, remote, recorded) : 'different';
    if (content === 'unknown') { inspect.push(key); continue; }
    if (content === 'same' && remote) {
      const headers = compareHeaders(local, remote, recorded);
      if (headers === 'unknown') inspect.push(key);
      else if (headers === 'different') actions.push({ kind: 'retag', key, local, remote });
      else keep += 1;
      continue;
    }
    const sourceVersionId = versionHolding(input.target.objects[key] as ReleaseObject, input.versions?.get(key));
    if (sourceVersionId) { actions.push({ kind: 'restore', key, sourceKey: key, sourceVersionId, local, remote }); continue; }
    const found = archivedSource({ ...local, etag: local.md5 }, input.archived);
    if (!found.source) {
      unrecoverable.push({ key, reason: found.reason as string });
      continue;
    }
    actions.push({ kind: 'restore', key, sourceKey: found.source, local, remote });
  }
  const refusal = deleteRefusal({
    delete: true, limits: input.limits, desiredCount: desired.length, remoteCount: input.remote.length, fromBuild: false,
  }, extras);
  if (!refusal) for (const remote of extras) actions.push({ kind: 'delete', key: remote.key, remote });
  actions.sort((a, b) => ACTION_ORDER[a.kind] - ACTION_ORDER[b.kind]);
  return { actions, keep, inspect, extras, deleteRefusal: refusal, remoteCount: input.remote.length, unrecoverable };
}
