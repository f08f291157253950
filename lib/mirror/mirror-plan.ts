/**
 * Pure mirror planning: another store's release → the objects it records (bytes and headers as recorded),
 * matched against the target's listing and state record by sync's own planner, so an object the target
 * already holds with the same content and headers is skipped. The target's extras (its keys, not in the
 * release) are deleted under the same caps as sync, and never when they would be most of the target.
 */
import { desiredFromRelease, releaseObject, type Release, type ReleaseObject } from '../releases/release';
import type { DesiredObject, RecordedObject, RemoteObject } from '../plan/match';
import type { ServedHeaders } from '../plan/explain-changes';
import {
  ALLOW_MASS_DELETE, MOST_OF_THE_BUCKET, overLimits, planSync, type DeleteLimits, type SyncAction, type SyncPlan,
} from '../plan/sync-plan';

export interface MirrorPlanInput {
  /** The source's latest release: what the target must hold. */
  readonly source: Release;
  /** The target's objects that are the tool's (the release's keys and the target's own managed keys). */
  readonly remote: readonly RemoteObject[];
  /** The target's state record (and HEADs): what is known of its objects beyond the listing. */
  readonly records: ReadonlyMap<string, RecordedObject>;
  readonly limits: DeleteLimits;
  readonly served?: ReadonlyMap<string, ServedHeaders>;
}

/** The release's objects as the target must hold them (a source's version ids mean nothing in another store). */
export function mirroredObjects(release: Release): Record<string, ReleaseObject> {
  return Object.fromEntries(Object.entries(release.objects).map(([key, o]) => [key, releaseObject(desiredFromRelease(key, o))]));
}

export function desiredOf(release: Release): DesiredObject[] {
  return Object.entries(mirroredObjects(release)).map(([key, o]) => desiredFromRelease(key, o));
}

/** Why the target's extras may not be deleted (undefined: they may). */
export function mirrorDeleteRefusal(extras: number, targetCount: number, sourceCount: number, limits: DeleteLimits): string | undefined {
  if (extras === 0) return undefined;
  const percent = (extras / Math.max(1, targetCount)) * 100;
  const capped = overLimits(extras, targetCount, limits, 'the target');
  if (limits.allowMass !== true && (sourceCount === 0 || percent > MOST_OF_THE_BUCKET)) {
    const why = sourceCount === 0 ? 'the source release records no objects' : `that is most of the target (${percent.toFixed(0)} %)`;
    return `refused to delete ${extras} of ${targetCount} objects in the target: ${why} — check that --env names the store you meant to copy; `
      + `if these deletes are intended, add ${ALLOW_MASS_DELETE}${capped ? ` and ${/--max-delete \S+/.exec(capped)?.[0] ?? '--max-delete'}` : ''}`;
  }
  return capped;
}

export function planMirror(input: MirrorPlanInput): SyncPlan {
  const desired = desiredOf(input.source);
  // Sync's planner with deletes off: the same matcher and verdicts; the mirror decides its deletes below.
  const base = planSync({ desired, remote: input.remote, records: input.records, served: input.served, delete: false, limits: input.limits });
  const refusal = mirrorDeleteRefusal(base.extras.length, input.remote.length, desired.length, input.limits);
  const deletes: SyncAction[] = refusal ? [] : base.extras.map((remote) => ({ kind: 'delete', key: remote.key, remote }));
  return { ...base, actions: [...base.actions, ...deletes], deleteRefusal: refusal };
}
