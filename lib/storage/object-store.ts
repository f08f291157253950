/**
 * The narrow storage interface every task talks to. Implementations: S3Store (any S3 API: R2, AWS,
 * Ceph, s3rver). Contracts are checked by one conformance suite against every real server we support.
 */

/** An object as a bucket listing shows it. */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
  /** ETag without quotes, lower-case. For single-part PUTs on R2/S3 this is the hex MD5 of the body. */
  readonly etag: string;
  readonly lastModified: Date;
}

/** What a HEAD adds to a listing: headers and user metadata (keys lower-case, without `x-amz-meta-`). */
export interface ObjectHead extends ListedObject {
  /** On a bucket with versioning: the version this answer is. */
  readonly versionId?: string;
  readonly contentType?: string;
  readonly cacheControl?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ObjectHeaders {
  readonly contentType: string;
  readonly cacheControl: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface PutRequest extends ObjectHeaders {
  readonly key: string;
  readonly body: Buffer;
  /** Hex MD5 of body: sent as Content-MD5 (the store rejects a corrupted body) and checked against the ETag. */
  readonly md5: string;
  /**
   * Conditional write (single PUTs only): replace only the object with this ETag, or (`*`) write only if
   * the key does not exist. A store that enforces it answers 412, thrown as StoreError status 412.
   */
  readonly ifMatch?: string;
  readonly ifNoneMatch?: '*';
}

export interface CopyRequest extends ObjectHeaders {
  readonly key: string;
  readonly sourceKey: string;
  /** Copy from another bucket of the same account (R2_ARCHIVE_BUCKET); default: this bucket. */
  readonly sourceBucket?: string;
  /** Copy this version of the source (buckets with native versioning). */
  readonly sourceVersionId?: string;
}

/** What a write answers: the new ETag, and the version id on a bucket with versioning (when the store says). */
export interface WriteResult {
  readonly etag: string;
  readonly versionId?: string;
}

export type VersioningState = 'enabled' | 'suspended' | 'off';

/** One entry of ListObjectVersions: a version of an object, or a delete marker. */
export interface ObjectVersion {
  readonly key: string;
  readonly versionId: string;
  readonly lastModified: Date;
  readonly isLatest: boolean;
  readonly deleteMarker: boolean;
  /** Versions only (not markers). */
  readonly etag?: string;
  readonly size?: number;
}

export interface DeleteResult {
  readonly deleted: string[];
  readonly failed: { key: string; reason: string }[];
}

export interface ObjectStore {
  /** Where the bucket is, for messages: never contains a secret. */
  readonly description: string;
  /**
   * Every object under `prefix` (and after `startAfter`, exclusive), page by page (≤ `pageSize`, default
   * 1000, per page), in key order (UTF-8 bytes).
   */
  list(options?: { prefix?: string; startAfter?: string; pageSize?: number }): AsyncIterable<ListedObject[]>;
  /** null when the object does not exist. */
  head(key: string): Promise<ObjectHead | null>;
  /**
   * Stores the object. Up to the store's multipart threshold: one PUT, with the ETag checked against
   * `md5`. Above it: a multipart upload, whose ETag is not an MD5 (`metadata.sha256` identifies it).
   */
  put(request: PutRequest): Promise<WriteResult>;
  /** Server-side copy with replaced headers and metadata (no bytes leave the store). */
  copy(request: CopyRequest): Promise<WriteResult>;
  /** Deletes in batches of ≤ 1000; per-key failures are returned, not thrown. */
  deleteMany(keys: readonly string[]): Promise<DeleteResult>;
  /** Native versioning as the bucket reports it; 'off' where the store has none (R2, s3rver). */
  versioning(): Promise<VersioningState>;
  /** Every version and delete marker under `prefix`, page by page, in key order, newest first per key. */
  listVersions(options?: { prefix?: string; pageSize?: number }): AsyncIterable<ObjectVersion[]>;
  /** A version's headers (null when it does not exist). */
  headVersion(key: string, versionId: string): Promise<ObjectHead | null>;
  /** The object's bytes as a stream (consume it, or the connection stays busy), with the headers it is served with; rejects with StoreError code NoSuchKey when absent. */
  get(key: string): Promise<{ body: AsyncIterable<Uint8Array>; head: ObjectHead }>;
}

/** Every object of a listing, all pages read (for the tool's own prefixes and tests; sync and verify stream pages). */
export async function listAll(store: ObjectStore, options?: { prefix?: string; startAfter?: string }): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  for await (const page of store.list(options)) objects.push(...page);
  return objects;
}
