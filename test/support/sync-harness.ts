/**
 * A dist/ folder with a manifest, a real server (s3rver in-process, or Ceph radosgw) behind a counting,
 * fault-injecting proxy, and the libraries pointed at it. Assertions read the bucket directly.
 */
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { SEED_CORS } from '../../lib/config/edge-policy';
import { AdaptiveLimiter } from '../../lib/execute/adaptive-limiter';
import { writeManifest } from '../../lib/manifest/io';
import { MANIFEST_SCHEMA, type ManifestSource } from '../../lib/manifest/types';
import { DEFAULT_DELETE_LIMITS } from '../../lib/plan/sync-plan';
import type { LocalBucket } from '../../lib/storage/local-bucket';
import type { ObjectHead, ObjectStore } from '../../lib/storage/object-store';
import { createS3Client, type StoreConfig } from '../../lib/storage/s3-client';
import { S3Store } from '../../lib/storage/s3-store';
import { connectStore } from '../../lib/bucket/open-store';
import { runSync, type SyncOptions, type SyncOutcome } from '../../lib/sync/run-sync';
import { requireManifest } from '../../lib/bucket/desired';
import { runRollback, type ReleaseChoice, type RollbackOptions, type RollbackOutcome } from '../../lib/restore/run-rollback';
import { repairBucket, type RepairOptions, type RepairOutcome } from '../../lib/verify/repair-bucket';
import { runVerify, type VerifyOptions, type VerifyOutcome } from '../../lib/verify/run-verify';
import { digestsOf, sha256Of } from '../../lib/util/hash';
import type { OutputFormat } from '../../lib/images/config';
import { FaultProxy } from '../servers/fault-proxy';
import { freshCephBucket, requireCeph } from '../servers/ceph';
import { startTestS3rver } from '../servers/s3rver';

export const CACHE = 'public, max-age=60';

/** A test output's format, by its name (a manifest's key must end in its format's extension). */
const FORMAT_OF: Record<string, OutputFormat> = { '.webp': 'webp', '.avif': 'avif' };

/** The real servers every end-to-end drill runs against. */
export const SERVERS = ['s3rver', 'ceph'] as const;
export type ServerKind = (typeof SERVERS)[number];

/** Call in a `before` hook of a suite run against `server`: Ceph skips locally when absent, fails in CI. */
export async function requireServer(context: Mocha.Context, server: ServerKind): Promise<void> {
  if (server === 'ceph') await requireCeph(context);
}

/** A suite's harness and the ids of the releases its states were published as (fresh for every test). */
export interface Published {
  h: SyncHarness;
  ids: string[];
}

/**
 * Mocha hooks for a suite against `server`: before each test a fresh harness with `states` published as
 * releases (request counts reset), closed after it. Read the returned object inside tests.
 */
export function usePublished(server: ServerKind, ...states: Record<string, string>[]): Published {
  const published = { h: undefined, ids: [] } as unknown as Published;
  before(async function () { await requireServer(this, server); });
  beforeEach(async () => {
    published.h = await SyncHarness.start(server);
    published.ids = await published.h.publish(...states);
    published.h.proxy.reset();
  });
  afterEach(async () => { await published.h?.close(); });
  return published;
}

export interface HarnessOptions {
  readonly versioned?: boolean;
  /** Milliseconds a request may go without progress (tests of stalls shorten it). */
  readonly requestTimeout?: number;
}

export class SyncHarness {
  dist = '';
  server!: LocalBucket;
  proxy!: FaultProxy;
  store!: ObjectStore;
  direct!: ObjectStore;
  /** The limiter the store's retries slow down, shared by every run of this harness (as in a gulp session). */
  readonly limiter = new AdaptiveLimiter(4);
  private destroyers: (() => void)[] = [];

  private client!: ReturnType<typeof createS3Client>;
  private viaProxy!: StoreConfig;

  /** `versioned`: a Ceph bucket with native versioning on. */
  static async start(server: ServerKind = 's3rver', options: HarnessOptions = {}): Promise<SyncHarness> {
    if (server === 'ceph') return SyncHarness.attach(await freshCephBucket('TESTSECRET', options.versioned === true), options);
    return SyncHarness.wire(await startTestS3rver('images'), options);
  }

  /** A harness on a bucket that already exists on a running server (Ceph, a shared s3rver process). */
  static attach(store: StoreConfig, options: HarnessOptions = {}): Promise<SyncHarness> {
    return SyncHarness.wire({ store, publicBase: `${store.endpoint}/${store.bucket}`, directory: '', close: async () => undefined }, options);
  }

  private static async wire(server: LocalBucket, options: HarnessOptions): Promise<SyncHarness> {
    const h = new SyncHarness();
    h.dist = await mkdtemp(join(tmpdir(), 'sync-dist-'));
    h.server = server;
    h.proxy = new FaultProxy(h.server.store.endpoint);
    const endpoint = await h.proxy.start();
    const retries = { maxAttempts: 5, backoffBase: 5, requestTimeout: options.requestTimeout, maxRetryDelay: 2000 };
    h.viaProxy = { ...h.server.store, endpoint };
    h.client = createS3Client(h.viaProxy, retries);
    const directClient = createS3Client(h.server.store, { maxAttempts: 2 });
    // The store under test is wired as the commands wire theirs: throttling slows the run's limiter.
    const connected = connectStore(h.viaProxy, { ...retries, limiter: h.limiter });
    h.destroyers.push(() => h.client.destroy(), () => directClient.destroy(), connected.destroy);
    h.store = connected.store;
    h.direct = new S3Store(directClient, h.server.store);
    return h;
  }

  /** The same bucket through the proxy, uploading bodies above `threshold` bytes as multipart. */
  multipart(threshold: number, partSize = 5 * 1024 * 1024): ObjectStore {
    return new S3Store(this.client, this.viaProxy, { multipartThreshold: threshold, partSize });
  }

  /** Writes these outputs (key → bytes) into dist with a matching images.json; replaces what was there. */
  async writeDist(files: Record<string, string | Buffer>): Promise<void> {
    await rm(this.dist, { recursive: true, force: true });
    const sources: Record<string, ManifestSource> = {};
    for (const [key, content] of Object.entries(files)) {
      const body = Buffer.from(content);
      await mkdir(dirname(join(this.dist, key)), { recursive: true });
      await writeFile(join(this.dist, key), body);
      const [type, slug] = key.split('/') as [string, string];
      const size = posix.basename(key, posix.extname(key)).slice(slug.length + 1);
      const rel = `${type}/${slug}/${slug}-hi-res.jpg`;
      const entry = sources[rel] ?? { type: type as 'album', slug, bytes: 1, sha256: sha256Of(Buffer.from(rel)), width: 1000, height: 1000, variants: [] };
      sources[rel] = { ...entry, variants: [...entry.variants, {
        size, format: FORMAT_OF[posix.extname(key)] ?? 'jpeg', key, width: 10, height: 10, bytes: body.length, contentType: 'image/jpeg', ...digestsOf(body), cacheKey: 'k',
      }] };
    }
    await writeManifest(join(this.dist, 'images.json'), { schema: MANIFEST_SCHEMA, encoder: 'test', updatedAt: '', sources });
  }

  async verify(options: Partial<VerifyOptions> = {}): Promise<VerifyOutcome> {
    const manifest = await requireManifest(this.dist);
    // As `gulp verify` does, a public check holds the answers to a CORS rule (the bucket gets one only where a test gives it).
    return runVerify(this.store, { manifest, cacheControl: CACHE, scope: {}, deep: false, concurrency: 4, quiet: true, cors: SEED_CORS, ...options });
  }

  async repair(verified: VerifyOutcome, options: Partial<RepairOptions> = {}): Promise<RepairOutcome> {
    return repairBucket(this.store, verified, {
      dist: this.dist, manifest: await requireManifest(this.dist), environment: 'test', delete: false, limits: DEFAULT_DELETE_LIMITS,
      dryRun: false, concurrency: 4, quiet: true, limiter: this.limiter, ...options,
    });
  }

  /** Syncs each state in turn (with deletes, no cap) and returns the ids of the releases they recorded. */
  async publish(...states: Record<string, string>[]): Promise<string[]> {
    const ids: string[] = [];
    for (const files of states) {
      await this.writeDist(files);
      ids.push((await this.sync({ delete: true, limits: { count: 100, percent: 100 } })).release?.id ?? '');
    }
    return ids;
  }

  rollback(release: ReleaseChoice, options: Partial<RollbackOptions> = {}): Promise<RollbackOutcome> {
    return runRollback(this.store, {
      release, environment: 'test', limits: { count: 100, percent: 100 }, dryRun: false, concurrency: 4, quiet: true, limiter: this.limiter, ...options,
    });
  }

  /** Bit rot: changes bytes of the object's file on the server's disk, keeping its size, mtime and stored MD5. */
  async rotOnDisk(key: string): Promise<void> {
    if (!this.server.directory) throw new Error('rotOnDisk needs s3rver (its files are on this disk)');
    const file = join(this.server.directory, 'images', ...key.split('/').slice(0, -1), `${posix.basename(key)}._S3rver_object`);
    const before = await stat(file);
    const bytes = await readFile(file);
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    await writeFile(file, bytes);
    await utimes(file, before.atime, before.mtime);
  }

  sync(options: Partial<SyncOptions> = {}): Promise<SyncOutcome> {
    return runSync(this.store, {
      dist: this.dist, cacheControl: CACHE, scope: {}, delete: false, limits: DEFAULT_DELETE_LIMITS, dryRun: false,
      concurrency: 4, quiet: true, limiter: this.limiter, ...options,
    });
  }

  /** Settings for the gulp CLI to use this bucket, directly or (`proxy`) through the counting, fault-injecting proxy. */
  cliEnv(through: 'server' | 'proxy' = 'server'): Record<string, string> {
    const { endpoint, bucket, accessKeyId, secretAccessKey } = this.server.store;
    return {
      S3_ENDPOINT: through === 'proxy' ? this.proxy.endpoint : endpoint, R2_BUCKET_NAME: bucket,
      R2_ACCESS_KEY_ID: accessKeyId, R2_SECRET_ACCESS_KEY: secretAccessKey,
    };
  }

  /** Bucket contents (key → bytes as text), read directly from the server. Reserved prefixes excluded. */
  async contents(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for await (const page of this.direct.list()) {
      for (const o of page) {
        if (o.key.startsWith('_')) continue;
        out[o.key] = await this.text(o.key);
      }
    }
    return out;
  }

  /** One object's bytes as text, read directly from the server. */
  async text(key: string): Promise<string> {
    const chunks: Uint8Array[] = [];
    for await (const c of (await this.direct.get(key)).body) chunks.push(c);
    return Buffer.concat(chunks).toString();
  }

  head(key: string): Promise<ObjectHead | null> {
    return this.direct.head(key);
  }

  async close(): Promise<void> {
    for (const destroy of this.destroyers) destroy();
    await this.proxy.close();
    await this.server.close();
    await rm(this.dist, { recursive: true, force: true });
  }
}
