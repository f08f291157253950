/**
 * The embedded local bucket for development: s3rver started in-process on 127.0.0.1, data on disk under
 * a git-ignored folder, so the pipeline runs on a fresh clone with no credentials. Also used by tests.
 */
import crypto from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import type S3rverType from 's3rver';
import type { StoreConfig } from './s3-client';

// s3rver signs ListObjectsV2 continuation tokens with single DES, which OpenSSL 3 refuses (every
// truncated listing becomes HTTP 500). 3DES with the key repeated (K|K|K) is exactly DES(K).
let desShimInstalled = false;
function installDesShim(): void {
  if (desShimInstalled) return;
  desShimInstalled = true;
  type CipherFactory = (alg: string, key: Buffer, iv: Buffer | null, options?: unknown) => unknown;
  const wrap = (create: CipherFactory): CipherFactory => (alg, key, iv, options) =>
    alg === 'des' ? create('des-ede3-cbc', Buffer.concat([key, key, key]), iv, options) : create(alg, key, iv, options);
  const mutable = crypto as unknown as { createCipheriv: CipherFactory; createDecipheriv: CipherFactory };
  mutable.createCipheriv = wrap(crypto.createCipheriv.bind(crypto) as unknown as CipherFactory);
  mutable.createDecipheriv = wrap(crypto.createDecipheriv.bind(crypto) as unknown as CipherFactory);
}

// s3rver's CopyObject with replaced metadata onto another key copies the bytes but not their stored MD5,
// so the destination keeps listing the ETag of whatever it held before (real stores compute it). Dropping
// the destination's MD5 file first makes s3rver recompute it from the copied bytes.
let copyFixInstalled = false;
function installCopyEtagFix(): void {
  if (copyFixInstalled) return;
  copyFixInstalled = true;
  type Store = { getResourcePath(bucket: string, key: string, resource: string): string };
  type CopyObject = (this: Store, srcBucket: string, srcKey: string, destBucket: string, destKey: string, replacement?: unknown) => Promise<unknown>;
  const FilesystemStore = require('s3rver/lib/stores/filesystem') as { prototype: { copyObject: CopyObject } };
  const original = FilesystemStore.prototype.copyObject;
  FilesystemStore.prototype.copyObject = async function copyObject(srcBucket, srcKey, destBucket, destKey, replacement) {
    if (replacement && (srcBucket !== destBucket || srcKey !== destKey)) {
      await rm(this.getResourcePath(destBucket, destKey, 'object.md5'), { force: true });
    }
    return original.call(this, srcBucket, srcKey, destBucket, destKey, replacement);
  };
}

type Store = { existsObject(bucket: string, key: string): Promise<boolean>; getMetadata(bucket: string, key: string): Promise<{ etag: string }> };
type Middleware = (ctx: { method: string; path: string; headers: Record<string, string | undefined>; status: number; type: string; body: unknown },
  next: () => Promise<void>) => Promise<void>;

/**
 * Conditional PUTs, as R2, S3 and Ceph enforce them (s3rver ignores If-Match and If-None-Match on writes):
 * If-None-Match: * fails with 412 when the key exists, If-Match when its ETag differs. Conditional PUTs to
 * one key are run one at a time, so the check and the write cannot interleave with another such PUT.
 */
function conditionalWrites(store: Store): Middleware {
  const queues = new Map<string, Promise<void>>();
  return async (ctx, next) => {
    const ifMatch = ctx.headers['if-match'];
    const ifNoneMatch = ctx.headers['if-none-match'];
    if (ctx.method !== 'PUT' || ctx.headers['x-amz-copy-source'] || (!ifMatch && ifNoneMatch !== '*')) return next();
    const [, bucket = '', ...rest] = decodeURIComponent(ctx.path).split('/');
    const key = rest.join('/');
    const previous = queues.get(`${bucket}/${key}`) ?? Promise.resolve();
    let done!: () => void;
    const turn = new Promise<void>((resolve) => { done = resolve; });
    queues.set(`${bucket}/${key}`, previous.then(() => turn));
    await previous;
    try {
      const exists = await store.existsObject(bucket, key);
      const etag = exists ? JSON.parse((await store.getMetadata(bucket, key)).etag) as string : undefined;
      const failed = ifNoneMatch === '*' ? exists : etag !== ifMatch?.replace(/"/g, '').toLowerCase();
      if (!failed) { await next(); return; }
      ctx.status = 412;
      ctx.type = 'application/xml';
      ctx.body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>';
    } finally {
      done();
    }
  };
}

/** s3rver's fixed credentials (it does not check signatures). Not a secret. */
export const LOCAL_ACCESS_KEY = 'S3RVER';

export interface LocalBucketOptions {
  readonly directory: string;
  readonly bucket: string;
  /** More buckets to create beside it (R2_ARCHIVE_BUCKET). */
  readonly otherBuckets?: readonly string[];
  /** 0 picks a free port. */
  readonly port?: number;
  /** Wipe the data when closed (tests). */
  readonly ephemeral?: boolean;
}

export interface LocalBucket {
  readonly store: StoreConfig;
  /** Base of the public URLs: `${publicBase}/${key}`. */
  readonly publicBase: string;
  /** Where s3rver keeps the bucket's files. */
  readonly directory: string;
  close(): Promise<void>;
}

export async function startLocalBucket(options: LocalBucketOptions): Promise<LocalBucket> {
  installDesShim();
  installCopyEtagFix();
  await mkdir(options.directory, { recursive: true });
  // Loaded only here: s3rver and its dependencies take ~0.2 s to load, wasted on a remote sync.
  const S3rver = require('s3rver') as typeof S3rverType;
  const server = new S3rver({
    address: '127.0.0.1', port: options.port ?? 0, silent: true, directory: options.directory,
    resetOnClose: options.ephemeral === true,
    configureBuckets: [options.bucket, ...(options.otherBuckets ?? [])].map((name) => ({ name, configs: [] })),
  });
  const koa = server as unknown as { middleware: Middleware[]; store: Store };
  koa.middleware.unshift(conditionalWrites(koa.store));
  const { port } = (await server.run()) as unknown as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    store: {
      provider: 'local', endpoint, bucket: options.bucket, region: 'us-east-1',
      accessKeyId: LOCAL_ACCESS_KEY, secretAccessKey: LOCAL_ACCESS_KEY,
    },
    publicBase: `${endpoint}/${options.bucket}`,
    directory: options.directory,
    close: async () => {
      // Open sockets (clients' keep-alive pools, requests of a killed client) would hold close() open.
      (server as unknown as { httpServer?: import('node:http').Server }).httpServer?.closeAllConnections();
      await server.close();
    },
  };
}
