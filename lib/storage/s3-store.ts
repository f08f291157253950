/** ObjectStore over the S3 API (R2, AWS S3, Ceph radosgw, MinIO, s3rver). */
import {
  CopyObjectCommand, DeleteObjectsCommand, GetBucketVersioningCommand, HeadObjectCommand, ListObjectsV2Command,
  ListObjectVersionsCommand, type HeadObjectCommandOutput, type S3Client,
} from '@aws-sdk/client-s3';
import type {
  CopyRequest, DeleteResult, ListedObject, ObjectHead, ObjectStore, ObjectVersion, PutRequest, VersioningState, WriteResult,
} from './object-store';
import { encodeCopySource, type StoreConfig } from './s3-client';
import { createObjectReader, type ObjectReader } from './s3-fetch-reader';
import { createObjectWriter, type ObjectWriter } from './s3-put-writer';
import { multipartPut } from './s3-multipart';
import { conditionFailed, StoreError } from './store-error';

export { StoreError } from './store-error';

const unquote = (etag: string | undefined): string => (etag ?? '').replace(/"/g, '').toLowerCase();

/** The headers a HEAD answers with, as an ObjectHead. */
function headOf(key: string, out: HeadObjectCommandOutput): ObjectHead {
  return {
    key, size: out.ContentLength ?? 0, etag: unquote(out.ETag), lastModified: out.LastModified ?? new Date(0),
    contentType: out.ContentType, cacheControl: out.CacheControl, metadata: out.Metadata ?? {}, versionId: out.VersionId,
  };
}

export interface S3StoreOptions {
  /** Bodies larger than this go up as multipart uploads (their ETag is then not an MD5). */
  readonly multipartThreshold?: number;
  readonly partSize?: number;
  /** How GETs are made: the lean signed reader (default: createObjectReader with default retries). */
  readonly reader?: ObjectReader;
  /** How single-part PUTs are made: the lean signed writer (default: createObjectWriter with default retries). */
  readonly writer?: ObjectWriter;
}

/** Images are far below this: they all go up as single PUTs, so their listing ETag is their MD5. */
export const MULTIPART_THRESHOLD = 256 * 1024 * 1024;

export class S3Store implements ObjectStore {
  readonly description: string;
  private readonly multipartThreshold: number;
  private readonly partSize: number;
  private readonly reader: ObjectReader;
  private readonly writer: ObjectWriter;

  constructor(private readonly client: S3Client, private readonly config: StoreConfig, options: S3StoreOptions = {}) {
    this.description = `bucket "${config.bucket}" at ${config.endpoint}`;
    this.multipartThreshold = options.multipartThreshold ?? MULTIPART_THRESHOLD;
    this.partSize = options.partSize ?? 64 * 1024 * 1024;
    this.reader = options.reader ?? createObjectReader(config);
    this.writer = options.writer ?? createObjectWriter(config);
  }

  async *list(options: { prefix?: string; startAfter?: string; pageSize?: number } = {}): AsyncIterable<ListedObject[]> {
    const prefix = options.prefix ?? '';
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({
        Bucket: this.config.bucket, Prefix: prefix || undefined, ContinuationToken: token, MaxKeys: options.pageSize,
        StartAfter: token ? undefined : options.startAfter,
      })).catch((error: unknown) => { throw new StoreError('list', prefix || undefined, error); });
      yield (page.Contents ?? []).map((o) => ({
        key: o.Key ?? '', size: o.Size ?? 0, etag: unquote(o.ETag), lastModified: o.LastModified ?? new Date(0),
      }));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  head(key: string): Promise<ObjectHead | null> {
    return this.headVersion(key);
  }

  async headVersion(key: string, versionId?: string): Promise<ObjectHead | null> {
    try {
      return headOf(key, await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: key, VersionId: versionId })));
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
      throw new StoreError('head', versionId ? `${key} (version ${versionId})` : key, error);
    }
  }

  /** R2 answers NotImplemented and s3rver a body without Status: both mean no versioning, so archive copies. */
  async versioning(): Promise<VersioningState> {
    const out = await this.client.send(new GetBucketVersioningCommand({ Bucket: this.config.bucket })).catch(() => undefined);
    if (out?.Status === 'Enabled') return 'enabled';
    return out?.Status === 'Suspended' ? 'suspended' : 'off';
  }

  async *listVersions(options: { prefix?: string; pageSize?: number } = {}): AsyncIterable<ObjectVersion[]> {
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    do {
      const page = await this.client.send(new ListObjectVersionsCommand({
        Bucket: this.config.bucket, Prefix: options.prefix || undefined, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker,
        MaxKeys: options.pageSize,
      })).catch((error: unknown) => { throw new StoreError('list versions', options.prefix || undefined, error); });
      const versions: ObjectVersion[] = [
        ...(page.Versions ?? []).map((v) => ({
          key: v.Key ?? '', versionId: v.VersionId ?? 'null', lastModified: v.LastModified ?? new Date(0), isLatest: v.IsLatest === true,
          deleteMarker: false, etag: unquote(v.ETag), size: v.Size ?? 0,
        })),
        ...(page.DeleteMarkers ?? []).map((m) => ({
          key: m.Key ?? '', versionId: m.VersionId ?? 'null', lastModified: m.LastModified ?? new Date(0), isLatest: m.IsLatest === true, deleteMarker: true,
        })),
      ];
      // Versions and markers come in two lists: put each key's entries back in newest-first order.
      versions.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : b.lastModified.getTime() - a.lastModified.getTime()));
      yield versions;
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
  }

  async put(request: PutRequest): Promise<WriteResult> {
    if (request.body.length > this.multipartThreshold) {
      const etag = await multipartPut(this.client, this.config.bucket, request, this.partSize)
        .catch((error: unknown) => { throw new StoreError('multipart put', request.key, error); });
      return { etag };
    }
    const send = (conditions: { IfMatch?: string; IfNoneMatch?: string }) => this.writer(request, conditions)
      .catch((error: unknown) => { throw new StoreError('put', request.key, error); });
    const out = await send({ IfMatch: request.ifMatch, IfNoneMatch: request.ifNoneMatch }).catch(async (error: StoreError) => {
      // If-Match on an object deleted meanwhile: S3, and Ceph when the delete lands during the write, answer
      // 404 NoSuchKey rather than 412. Either way the condition did not hold.
      if (request.ifMatch && error.code === 'NoSuchKey') throw conditionFailed(request.key, error);
      // Ceph 16 answers 412 to every If-Match PUT on a bucket with versioning on, even a true one. If the
      // object still has the ETag asked for, the condition held: the PUT is sent again without it.
      if (error.status !== 412 || !request.ifMatch || (await this.head(request.key))?.etag !== unquote(request.ifMatch)) throw error;
      return send({});
    });
    const etag = unquote(out.ETag);
    if (etag !== request.md5) {
      throw new StoreError('put', request.key, new Error(`stored ETag ${etag} is not the MD5 ${request.md5} of the bytes sent`),
        'the object may be corrupt: run `gulp verify --repair`');
    }
    return { etag, versionId: out.VersionId };
  }

  async copy(request: CopyRequest): Promise<WriteResult> {
    const source = encodeCopySource(this.config.provider, request.sourceBucket ?? this.config.bucket, request.sourceKey);
    const out = await this.client.send(new CopyObjectCommand({
      Bucket: this.config.bucket, Key: request.key,
      CopySource: request.sourceVersionId ? `${source}?versionId=${encodeURIComponent(request.sourceVersionId)}` : source,
      MetadataDirective: 'REPLACE', ContentType: request.contentType, CacheControl: request.cacheControl,
      Metadata: { ...request.metadata },
    })).catch((error: unknown) => { throw new StoreError('copy', `${request.sourceKey} → ${request.key}`, error); });
    return { etag: unquote(out.CopyObjectResult?.ETag), versionId: out.VersionId };
  }

  async deleteMany(keys: readonly string[]): Promise<DeleteResult> {
    const result: DeleteResult = { deleted: [], failed: [] };
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      try {
        const out = await this.client.send(new DeleteObjectsCommand({
          Bucket: this.config.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: false },
        }));
        const failed = new Map((out.Errors ?? []).map((e) => [e.Key ?? '', `${e.Code ?? 'Error'}: ${e.Message ?? ''}`]));
        for (const key of batch) {
          const reason = failed.get(key);
          if (reason) result.failed.push({ key, reason });
          else result.deleted.push(key);
        }
      } catch (error) {
        const reason = new StoreError('delete', undefined, error).message;
        for (const key of batch) result.failed.push({ key, reason });
      }
    }
    return result;
  }

  async get(key: string): Promise<{ body: AsyncIterable<Uint8Array>; head: ObjectHead }> {
    return this.reader(key).catch((error: unknown) => { throw new StoreError('get', key, error); });
  }

}
