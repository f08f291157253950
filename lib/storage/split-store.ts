/**
 * One ObjectStore over two buckets of the same account (R2_ARCHIVE_BUCKET): the public images in one,
 * the tool's own records (sync state, releases, archive) in a private other. Every call is routed by
 * key, so sync, verify, restore and prune work unchanged; a copy between the two is a server-side
 * cross-bucket copy, so archiving and restoring still move no bytes through this machine.
 */
import type {
  CopyRequest, DeleteResult, ListedObject, ObjectHead, ObjectStore, ObjectVersion, PutRequest, VersioningState, WriteResult,
} from './object-store';

export interface BucketStore {
  readonly store: ObjectStore;
  readonly bucket: string;
}

export class SplitStore implements ObjectStore {
  readonly description: string;

  /** `isRecordKey` says which keys live in the records bucket. */
  constructor(private readonly images: BucketStore, private readonly records: BucketStore, private readonly isRecordKey: (key: string) => boolean) {
    this.description = `${images.store.description} (records and archive in bucket "${records.bucket}")`;
  }

  /** The two buckets, for what must look at one alone (history left in the images' bucket). */
  get buckets(): { readonly images: BucketStore; readonly records: BucketStore } {
    return { images: this.images, records: this.records };
  }

  private side(key: string): BucketStore {
    return this.isRecordKey(key) ? this.records : this.images;
  }

  /** A prefix inside the records' namespace lists the records bucket; anything else lists the images. */
  private listed(prefix: string | undefined): ObjectStore {
    return (prefix !== undefined && prefix !== '' && this.isRecordKey(prefix) ? this.records : this.images).store;
  }

  list(options: { prefix?: string; startAfter?: string; pageSize?: number } = {}): AsyncIterable<ListedObject[]> {
    return this.listed(options.prefix).list(options);
  }

  /** The images' bucket decides: its versioning is what keeps overwritten images. */
  versioning(): Promise<VersioningState> {
    return this.images.store.versioning();
  }

  listVersions(options: { prefix?: string; pageSize?: number } = {}): AsyncIterable<ObjectVersion[]> {
    return this.listed(options.prefix).listVersions(options);
  }

  headVersion(key: string, versionId: string): Promise<ObjectHead | null> {
    return this.side(key).store.headVersion(key, versionId);
  }

  head(key: string): Promise<ObjectHead | null> {
    return this.side(key).store.head(key);
  }

  put(request: PutRequest): Promise<WriteResult> {
    return this.side(request.key).store.put(request);
  }

  copy(request: CopyRequest): Promise<WriteResult> {
    const target = this.side(request.key);
    const source = this.side(request.sourceKey);
    return target.store.copy(source === target ? request : { ...request, sourceBucket: source.bucket });
  }

  async deleteMany(keys: readonly string[]): Promise<DeleteResult> {
    const [records, images] = await Promise.all([
      this.records.store.deleteMany(keys.filter(this.isRecordKey)),
      this.images.store.deleteMany(keys.filter((k) => !this.isRecordKey(k))),
    ]);
    return { deleted: [...images.deleted, ...records.deleted], failed: [...images.failed, ...records.failed] };
  }

  get(key: string): Promise<{ body: AsyncIterable<Uint8Array>; head: ObjectHead }> {
    return this.side(key).store.get(key);
  }
}
