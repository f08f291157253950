/**
 * Pure: the bucket as it was at a time, from its version history (s3-pit-restore's rule): per key, the
 * newest entry last modified at or before that time; a key whose entry is a delete marker, or that
 * had none yet, did not exist then.
 */
import type { ObjectVersion } from '../storage/object-store';

/** Key → the version current at `at` (keys absent at that time are left out). */
export function versionsAt(versions: readonly ObjectVersion[], at: Date): Map<string, ObjectVersion> {
  const newest = new Map<string, ObjectVersion>();
  for (const v of versions) {
    if (v.lastModified.getTime() > at.getTime()) continue;
    const seen = newest.get(v.key);
    if (!seen || v.lastModified.getTime() > seen.lastModified.getTime()) newest.set(v.key, v);
  }
  for (const [key, v] of newest) if (v.deleteMarker) newest.delete(key);
  return newest;
}

/** Each key's versions holding bytes (markers left out), newest first. */
export function versionsByKey(versions: readonly ObjectVersion[]): Map<string, ObjectVersion[]> {
  const byKey = new Map<string, ObjectVersion[]>();
  for (const v of versions) {
    if (v.deleteMarker) continue;
    byKey.set(v.key, [...(byKey.get(v.key) ?? []), v]);
  }
  for (const list of byKey.values()) list.sort((a, b) => b.lastModified.getTime() - a.lastModified.getTime());
  return byKey;
}
