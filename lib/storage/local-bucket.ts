/**
 * The embedded local bucket for development: s3rver started in-process on 127.0.0.1, data on disk under
 * a git-ignored folder, so the pipeline runs on a fresh clone with no credentials. Also used by tests.
 */
import crypto, { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import type S3rverType from 's3rver';
import type { StoreConfig } from './s3-client';
import { tempPathFor } from '../util/temp-path';

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

// s3rver's CopyObject onto another key is not atomic and can leave a wrong ETag for good: it copies the
// bytes in place and, with replaced metadata, keeps the destination's old MD5 file (dropping that file first,
// as this fix once did, let any listing or HEAD during the copy compute and store the MD5 of the old or
// half-copied bytes — found by the history generator with two writers at once). Here the bytes are copied to
// a temp file, hashed, renamed into place, and the MD5 file replaced by rename: readers see the old object
// or the new one, and the stored MD5 always ends as the bytes'.
let copyFixInstalled = false;
function installCopyFix(): void {
  if (copyFixInstalled) return;
  copyFixInstalled = true;
  type Store = {
    getResourcePath(bucket: string, key: string, resource: string): string;
    putMetadata(bucket: string, key: string, metadata: unknown): Promise<void>;
    getMetadata(bucket: string, key: string): Promise<unknown>;
  };
  type CopyObject = (this: Store, srcBucket: string, srcKey: string, destBucket: string, destKey: string, replacement?: unknown) => Promise<unknown>;
  const FilesystemStore = require('s3rver/lib/stores/filesystem') as { prototype: { copyObject: CopyObject } };
  const original = FilesystemStore.prototype.copyObject;
  FilesystemStore.prototype.copyObject = async function copyObject(srcBucket, srcKey, destBucket, destKey, replacement) {
    const source = this.getResourcePath(srcBucket, srcKey, 'object');
    const dest = this.getResourcePath(destBucket, destKey, 'object');
    if (source === dest) return original.call(this, srcBucket, srcKey, destBucket, destKey, replacement);
    const temp = tempPathFor(dest, 'copying-');
    await mkdir(dirname(dest), { recursive: true });
    try {
      await copyFile(source, temp);
      const md5 = createHash('md5').update(await readFile(temp)).digest('hex');
      await writeFile(`${temp}.md5`, md5);
      await rename(temp, dest);
      await rename(`${temp}.md5`, `${dest}.md5`);
    } finally {
      await rm(temp, { force: true });
      await rm(`${temp}.md5`, { force: true });
    }
    if (replacement) await this.putMetadata(destBucket, destKey, replacement);
    else await copyFile(this.getResourcePath(srcBucket, srcKey, 'metadata.json'), this.getResourcePath(destBucket, destKey, 'metadata.json'));
    return this.getMetadata(destBucket, destKey);
  };
}


type Store = { getResourcePath(bucket: string, key: string, resource: string): string; getMetadata(bucket: string, key: string): Promise<{ etag: string }> };
/** The part of s3rver's Koa context our middleware uses (`path` is the raw, still percent-encoded path). */
export interface BucketContext {
  method: string; path: string; querystring: string; headers: Record<string, string | undefined>; status: number; type: string; body: unknown;
  set(field: string, value: string): void;
}
export type Middleware = (ctx: BucketContext, next: () => Promise<void>) => Promise<void>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A lock file left by a process that is gone, or older than any conditional write takes, is stale: the
 * content judged, so that a lock released and taken again meanwhile (other content) is not removed.
 */
async function staleContent(path: string): Promise<string | undefined> {
  const content = await readFile(path, 'utf8').catch(() => undefined);
  if (content === undefined) return undefined; // released meanwhile: just try again
  const [pid, at] = content.split(' ').map(Number);
  if (!pid || !at) return undefined; // being written
  if (Date.now() - at > 30_000) return content;
  try { process.kill(pid, 0); return undefined; } catch (error) { return (error as NodeJS.ErrnoException).code === 'ESRCH' ? content : undefined; }
}

/**
 * Runs `critical` holding `<directory>/.conditional-write.lock` (created with O_EXCL): two processes may
 * each run an embedded bucket over the same folder (two commands at once, the second on another port),
 * so an in-memory queue would not keep their conditional writes apart. Bounded: 10 s, then an error.
 */
async function underFileLock<T>(directory: string, critical: () => Promise<T>): Promise<T> {
  const path = join(directory, '.conditional-write.lock');
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await writeFile(path, `${process.pid} ${Date.now()}`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const stale = await staleContent(path);
      if (stale !== undefined && (await readFile(path, 'utf8').catch(() => undefined)) === stale) { await rm(path, { force: true }); continue; }
      if (Date.now() > deadline) throw new Error(`the embedded bucket's write lock ${path} is held past 10 s`, { cause: error });
      await sleep(5);
    }
  }
  try {
    return await critical();
  } finally {
    await rm(path, { force: true });
  }
}

/**
 * Conditional PUTs, as R2, S3 and Ceph enforce them (s3rver ignores If-Match and If-None-Match on writes):
 * If-None-Match: * fails with 412 when the key exists, If-Match when its ETag differs. The check and the
 * write run under a lock file, so no other conditional PUT (of this process or another) comes between.
 */
function conditionalWrites(store: Store, directory: string): Middleware {
  return async (ctx, next) => {
    const ifMatch = ctx.headers['if-match'];
    const ifNoneMatch = ctx.headers['if-none-match'];
    if (ctx.method !== 'PUT' || ctx.headers['x-amz-copy-source'] || (!ifMatch && ifNoneMatch !== '*')) return next();
    const [, bucket = '', ...rest] = decodeURIComponent(ctx.path).split('/');
    const key = rest.join('/');
    await underFileLock(directory, async () => {
      // By the MD5 file, which s3rver's PUT writes and awaits before it answers (it does not wait for the
      // object file itself: a PUT answered may not show in a stat of it yet). A copied object may have none.
      const etag = await readFile(store.getResourcePath(bucket, key, 'object.md5'), 'utf8')
        .catch(async () => { const m = await store.getMetadata(bucket, key).catch(() => undefined); return m && JSON.parse(m.etag) as string; });
      const failed = ifNoneMatch === '*' ? etag !== undefined : etag !== ifMatch?.replace(/"/g, '').toLowerCase();
      if (!failed) { await next(); return; }
      ctx.status = 412;
      ctx.type = 'application/xml';
      ctx.body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>';
    });
  };
}

/**
 * s3rver keeps each object in a file named by its key: a key with a `.` or `..` segment (legal in S3)
 * would name a file outside its folder. Such keys are refused with 400, as a read, a write or a copy source.
 */
function refuseKeysLeavingFolder(): Middleware {
  const leaves = (key: string) => key.split(/[/\\]/).some((segment) => segment === '.' || segment === '..');
  return async (ctx, next) => {
    let keys: string[];
    try {
      const [, , ...rest] = decodeURIComponent(ctx.path).split('/');
      const source = ctx.headers['x-amz-copy-source'];
      keys = [rest.join('/'), typeof source === 'string' ? decodeURIComponent(source.split('?')[0] ?? '') : ''];
    } catch {
      keys = ['..'];
    }
    if (!keys.some(leaves)) { await next(); return; }
    ctx.status = 400;
    ctx.type = 'application/xml';
    ctx.body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidArgument</Code><Message>the embedded bucket refuses keys with a . or .. segment: they would name a file outside its folder</Message></Error>';
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
  /** Middleware run before every other (gulp serve: CORS, render on demand). */
  readonly front?: readonly Middleware[];
}

export interface LocalBucket {
  readonly store: StoreConfig;
  /** Base of the public URLs: `${publicBase}/${key}`. */
  readonly publicBase: string;
  /** Where s3rver keeps the bucket's files. */
  readonly directory: string;
  close(): Promise<void>;
}

/** How a client reaches a bucket of an embedded server at `endpoint` (this process's, or `gulp serve`'s). */
export function localStoreConfig(endpoint: string, bucket: string): StoreConfig {
  return { provider: 'local', endpoint, bucket, region: 'us-east-1', accessKeyId: LOCAL_ACCESS_KEY, secretAccessKey: LOCAL_ACCESS_KEY };
}

export async function startLocalBucket(options: LocalBucketOptions): Promise<LocalBucket> {
  installDesShim();
  installCopyFix();
  await mkdir(options.directory, { recursive: true });
  // Loaded only here: s3rver and its dependencies take ~0.2 s to load, wasted on a remote sync.
  const S3rver = require('s3rver') as typeof S3rverType;
  const server = new S3rver({
    address: '127.0.0.1', port: options.port ?? 0, silent: true, directory: options.directory,
    resetOnClose: options.ephemeral === true,
    configureBuckets: [options.bucket, ...(options.otherBuckets ?? [])].map((name) => ({ name, configs: [] })),
  });
  const koa = server as unknown as { middleware: Middleware[]; store: Store; listen(...args: unknown[]): Server | Promise<Server> };
  koa.middleware.unshift(...(options.front ?? []), refuseKeysLeavingFolder(), conditionalWrites(koa.store, options.directory));
  // s3rver's listen() waits for 'listening' only: a port in use is an unhandled 'error' event, a crash.
  const listen = koa.listen.bind(koa);
  koa.listen = (...args: unknown[]) => new Promise<Server>((resolve, reject) => {
    const http = listen(...args, () => resolve(http)) as Server;
    http.once('error', reject);
  });
  const { port } = (await server.run()) as unknown as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    store: localStoreConfig(endpoint, options.bucket),
    publicBase: `${endpoint}/${options.bucket}`,
    directory: options.directory,
    close: async () => {
      // Open sockets (clients' keep-alive pools, requests of a killed client) would hold close() open.
      (server as unknown as { httpServer?: import('node:http').Server }).httpServer?.closeAllConnections();
      await server.close();
    },
  };
}
