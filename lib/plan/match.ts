/**
 * The one matcher that sync, verify and restore share: pairs what should be in the bucket with what a
 * listing says is there, by key, and judges content and headers without a request per object.
 */
import { stableHash } from '../util/hash';
import { keyProblem } from '../validate/object-key';
import { printable } from '../util/printable';

/**
 * Where a wanted object comes from, to explain why it is replaced: a size the build rendered (a `source`
 * size says how it was published: as the source, stripped of metadata, or re-encoded), or a file
 * assets.config.ts publishes from dist/. Never recorded in a release.
 */
export type ObjectOrigin =
  | { readonly size: string; readonly passthrough?: 'copy' | 'strip' | 'reencode'; readonly remote?: string }
  | { readonly published: true };

/** An object as the build says it should be in the bucket. */
export interface DesiredObject {
  readonly key: string;
  readonly md5: string;
  readonly sha256: string;
  readonly size: number;
  readonly contentType: string;
  readonly cacheControl: string;
  readonly origin?: ObjectOrigin;
}

/** An object as the bucket listing shows it (see ObjectStore.list). */
export interface RemoteObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
}

/**
 * What is known about a remote object beyond its listing: from the last sync's record, or from a HEAD
 * (its `sha256` and `headers-hash` metadata). Valid only while the object's ETag is still `etag`.
 */
export interface RecordedObject {
  readonly etag: string;
  readonly sha256: string;
  readonly headersHash: string;
}

export interface Match {
  readonly key: string;
  readonly local?: DesiredObject;
  readonly remote?: RemoteObject;
}

/** The hash stored in each object's metadata and records: a header change is a change. */
export function headersHash(object: Pick<DesiredObject, 'contentType' | 'cacheControl'>): string {
  return stableHash({ contentType: object.contentType, cacheControl: object.cacheControl });
}

/** A multipart ETag (`md5-of-parts-N`) says nothing about the bytes' MD5. */
export function isMultipartEtag(etag: string): boolean {
  return /-\d+$/.test(etag);
}

/**
 * Pairs local and remote objects by key, exactly as bytes, sorted by key. The build's keys are NFC; a
 * listed key that is not NFC is never ours, even where a store that does not normalise (s3rver, S3,
 * Ceph) holds it as the NFC key's twin: the public URL of the NFC key would still be a 404.
 */
export function matchObjects(local: Iterable<DesiredObject>, remote: Iterable<RemoteObject>): Match[] {
  const byKey = new Map<string, { local?: DesiredObject; remote?: RemoteObject }>();
  for (const object of local) byKey.set(object.key, { local: object });
  for (const object of remote) byKey.set(object.key, { ...byKey.get(object.key), remote: object });
  return [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, pair]) => ({ key, ...pair }));
}

/**
 * Why a listed object that no one wants is there, for reports: a non-NFC key is named as its NFC key's
 * twin, a key outside the key grammar says what is wrong with it (it can never be an image of ours).
 */
export function extraReason(key: string, otherwise: string): string {
  const nfc = key.normalize('NFC');
  if (nfc !== key) return `key is not NFC: the non-NFC twin of ${nfc} (it never serves that URL; remove it with --delete)`;
  const problem = keyProblem(key);
  return problem ? `not an image key: ${problem} (remove it with --delete)` : otherwise;
}

/** A key as reports print it: one not in NFC is marked, since it looks the same as its NFC twin; control characters as `?`. */
export function showKey(key: string): string {
  const shown = printable(key);
  return key.normalize('NFC') === key ? shown : `${shown} (not NFC)`;
}

export type ContentVerdict = 'same' | 'different' | 'unknown';

/** A record still describes the object if the object has not been replaced since (same ETag). */
export function currentRecord(remote: RemoteObject, recorded: RecordedObject | undefined): RecordedObject | undefined {
  return recorded && recorded.etag === remote.etag ? recorded : undefined;
}

/**
 * Compares bytes by what the listing shows: size, then ETag = MD5 for single-part objects. A multipart
 * object is judged by its recorded SHA-256 (state record or HEAD), else `unknown`.
 */
export function compareContent(local: DesiredObject, remote: RemoteObject, recorded?: RecordedObject): ContentVerdict {
  if (local.size !== remote.size) return 'different';
  if (!isMultipartEtag(remote.etag)) return remote.etag === local.md5 ? 'same' : 'different';
  const record = currentRecord(remote, recorded);
  if (!record) return 'unknown';
  return record.sha256 === local.sha256 ? 'same' : 'different';
}

/** Whether the object carries the headers we want: `unknown` when nothing current is recorded. */
export function compareHeaders(local: DesiredObject, remote: RemoteObject, recorded?: RecordedObject): ContentVerdict {
  const record = currentRecord(remote, recorded);
  if (!record) return 'unknown';
  return record.headersHash === headersHash(local) ? 'same' : 'different';
}

/**
 * What a HEAD proves about an object: its stored SHA-256 metadata, and the hash of the headers it is
 * actually served with (not the metadata's claim, which a copy behind our back may have kept).
 */
export function recordFromHead(head: { etag: string; contentType?: string; cacheControl?: string; metadata: Readonly<Record<string, string>> }): RecordedObject {
  return {
    etag: head.etag, sha256: head.metadata.sha256 ?? '',
    headersHash: headersHash({ contentType: head.contentType ?? '', cacheControl: head.cacheControl ?? '' }),
  };
}
