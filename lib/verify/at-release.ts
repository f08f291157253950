/**
 * After a rollback the bucket differs from the build on purpose: which findings the latest release
 * explains, so verify says "the bucket is at release X" rather than "corrupt" (and advises no repair that
 * would undo the rollback).
 */
import type { RecordedObject } from '../plan/match';
import { explainedByRelease } from '../plan/release-match';
import type { Finding } from '../plan/verify-plan';
import type { Release } from '../releases/release';
import { readLatest, readRelease } from '../releases/release-store';
import type { ObjectStore } from '../storage/object-store';

export interface AtRelease {
  readonly id: string;
  readonly rollback: boolean;
  readonly restoredFrom?: string;
  readonly keys: readonly string[];
  /** What `gulp sync` would do to move the bucket to the build: upload (missing or other bytes), re-header, delete. */
  readonly uploads: number;
  readonly retags: number;
  readonly deletes: number;
}

/** The release the latest pointer names; undefined when there is none or it cannot be read (only advice depends on it). */
export async function latestRelease(store: ObjectStore): Promise<Release | undefined> {
  try {
    const { pointer } = await readLatest(store);
    return pointer ? await readRelease(store, pointer.id) : undefined;
  } catch {
    return undefined;
  }
}

/** Which findings the latest release explains (the bucket is at that release, not at the build). */
export function atLatest(latest: Release, findings: readonly Finding[], records: ReadonlyMap<string, RecordedObject>): AtRelease | undefined {
  const explained = explainedByRelease(findings, latest.objects, records);
  if (explained.length === 0) return undefined;
  const count = (...kinds: Finding['kind'][]) => explained.filter((f) => kinds.includes(f.kind)).length;
  return {
    id: latest.id, rollback: latest.reason === 'restore', restoredFrom: latest.restoredFrom, keys: explained.map((f) => f.key),
    uploads: count('missing', 'corrupt'), retags: count('stale-headers'), deletes: count('extra'),
  };
}

