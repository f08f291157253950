/**
 * Release records: R2 has no object versioning, so every successful sync writes what the bucket then
 * held (key → md5, sha256, size, headers) under `_releases/`, and a pointer names the latest. Together
 * with the content-addressed archive (`_archive/`), any recorded state can be restored by server-side
 * copies alone. Pure functions here; reading and writing them is in release-store.ts.
 */
import type { DesiredObject } from '../plan/match';
import { stableHash } from '../util/hash';

export const RELEASES_PREFIX = '_releases/';
export const LATEST_KEY = `${RELEASES_PREFIX}latest.json`;
export const ARCHIVE_PREFIX = '_archive/';
export const RELEASE_SCHEMA = 1;

export interface ReleaseObject {
  readonly md5: string;
  readonly sha256: string;
  readonly size: number;
  readonly contentType: string;
  readonly cacheControl: string;
  /** On a bucket with native versioning: the version holding these bytes (restores copy it back). */
  readonly versionId?: string;
}

/** The image manifest (dist/images.json) a release was built from, archived by content. */
export interface ManifestRef {
  readonly sha256: string;
  readonly size: number;
}

export interface ReleaseChanges {
  readonly created: readonly string[];
  readonly updated: readonly string[];
  readonly retagged: readonly string[];
  readonly deleted: readonly string[];
}

export type ReleaseReason = 'sync' | 'repair' | 'restore' | 'rebuild' | 'mirror';

export interface Release {
  readonly schema: number;
  readonly id: string;
  readonly createdAt: string;
  readonly parent?: string;
  readonly commit?: string;
  readonly environment: string;
  /**
   * What made it: a sync, a repair (`gulp verify --repair`), a restore of a release (which names it), or
   * a rebuild from the sources (`gulp restore` with no release), or a mirror of another store's release
   * (`gulp mirror`, which names it in `restoredFrom`).
   */
  readonly reason: ReleaseReason;
  /** A restore's release (or time); a mirror's source, `<environment> release <id>`. */
  readonly restoredFrom?: string;
  readonly objects: Readonly<Record<string, ReleaseObject>>;
  readonly changes: ReleaseChanges;
  /** Absent for releases made before manifests were archived, and by syncs given no manifest. */
  readonly manifest?: ManifestRef;
}

/** The small object that names the latest release; replaced only by a conditional PUT. */
export interface LatestPointer {
  readonly id: string;
  readonly createdAt: string;
}

export const releaseKey = (id: string): string => `${RELEASES_PREFIX}${id}.json`;

/** `20261128T123456.789Z-<8 hex of the object list>`: sorts by time, and says whether two states differ. */
export function newReleaseId(at: Date, objects: Readonly<Record<string, ReleaseObject>>): string {
  const stamp = at.toISOString().replace(/[-:]/g, '');
  return `${stamp}-${stableHash(objects, 8)}`;
}

/** When a release was made, from its id (`20261128T123456.789Z-…`). */
export function releaseTime(id: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d{3})?Z/.exec(id);
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}Z`) : new Date(Number.NaN);
}

/** Whether two releases record the same objects (an id ends with a hash of its object list). */
export function sameObjects(id: string, other: string): boolean {
  return id.slice(id.lastIndexOf('-')) === other.slice(other.lastIndexOf('-'));
}

/** Where a content's preserved copy lives: by SHA-256 when known, else by the single-part ETag (its MD5). */
export function archiveKeys(content: { sha256?: string; md5?: string }): string[] {
  return [content.sha256 && `${ARCHIVE_PREFIX}${content.sha256}`, content.md5 && `${ARCHIVE_PREFIX}md5-${content.md5}`]
    .filter((k): k is string => Boolean(k));
}

export function releaseObject(o: DesiredObject): ReleaseObject {
  return { md5: o.md5, sha256: o.sha256, size: o.size, contentType: o.contentType, cacheControl: o.cacheControl };
}

export function desiredFromRelease(key: string, o: ReleaseObject): DesiredObject {
  return { key, ...o };
}

/**
 * The objects of the release a sync publishes: the previous release's objects outside this run's scope,
 * the build's objects inside it, minus what the run deleted. Extras a sync kept (no --delete) are not
 * part of any release.
 */
export function composeObjects(
  previous: Readonly<Record<string, ReleaseObject>> | undefined, desired: readonly DesiredObject[],
  inScope: (key: string) => boolean,
): Record<string, ReleaseObject> {
  const objects: Record<string, ReleaseObject> = {};
  for (const [key, o] of Object.entries(previous ?? {})) if (!inScope(key)) objects[key] = o;
  for (const o of desired) objects[o.key] = releaseObject(o);
  return inKeyOrder(objects);
}

/** What changed from one release's objects to the next's: by bytes (MD5), then by headers. */
export function changesBetween(
  before: Readonly<Record<string, ReleaseObject>> | undefined, after: Readonly<Record<string, ReleaseObject>>,
): ReleaseChanges {
  const changes = { created: [] as string[], updated: [] as string[], retagged: [] as string[], deleted: [] as string[] };
  for (const [key, o] of Object.entries(after)) {
    const was = before?.[key];
    if (!was) changes.created.push(key);
    else if (was.md5 !== o.md5 || was.size !== o.size) changes.updated.push(key);
    else if (was.contentType !== o.contentType || was.cacheControl !== o.cacheControl) changes.retagged.push(key);
  }
  for (const key of Object.keys(before ?? {})) if (!(key in after)) changes.deleted.push(key);
  return changes;
}

/** Whether two object lists are the same state (bytes, headers and version ids). */
export function sameState(a: Readonly<Record<string, ReleaseObject>>, b: Readonly<Record<string, ReleaseObject>>): boolean {
  return stableHash(a, 64) === stableHash(b, 64);
}

/** A release's objects in key order, so its record reads the same however it was assembled. */
export function inKeyOrder(objects: Readonly<Record<string, ReleaseObject>>): Record<string, ReleaseObject> {
  return Object.fromEntries(Object.entries(objects).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The command that makes `release` the latest again in `environment` (development is the default --env). */
export function restoreCommand(environment: string, release: string): string {
  return `gulp restore${environment === 'development' ? '' : ` --env ${environment}`} --release ${release}`;
}

/** The commit being published, when CI or git says so. */
export function currentCommit(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.GITHUB_SHA ?? env.CI_COMMIT_SHA ?? env.GIT_COMMIT ?? undefined;
}
