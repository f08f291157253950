/**
 * A bucket for `gulp setup` tests: the embedded s3rver (images and, optionally, a records bucket) reached
 * as a remote store would be, through a proxy that records every request, with one published image.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectStore } from '../../lib/bucket/open-store';
import { SEED_CORS, type CorsRule } from '../../lib/config/edge-policy';
import type { EnvironmentName } from '../../lib/config/environment';
import { openBucketSettings, type BucketSettings } from '../../lib/storage/bucket-settings';
import { startLocalBucket, type LocalBucket } from '../../lib/storage/local-bucket';
import type { ObjectStore } from '../../lib/storage/object-store';
import type { StoreConfig } from '../../lib/storage/s3-client';
import { runSetup, type SetupReport, type SetupTarget } from '../../lib/setup/run-setup';
import type { ConfigAccess } from '../../lib/setup/config-access';
import type { SetupItem } from '../../lib/setup/setup-item';
import { FaultProxy } from '../servers/fault-proxy';

export const CACHE = 'public, max-age=86400';
export const IMAGE_KEY = 'album/abba/abba-medium.jpg';

export interface WorldOptions {
  /** Keep the records in a second bucket (R2_ARCHIVE_BUCKET), as a private one would. Default true. */
  readonly archive?: boolean;
}

export interface RunOptions {
  readonly environment?: EnvironmentName;
  readonly dryRun?: boolean;
  /** undefined: the server's own public URL; null: none set. */
  readonly publicBase?: string | null;
  /** The admin token's credentials: true (valid), false (none set), or a config of its own. */
  readonly admin?: boolean | StoreConfig;
  readonly cors?: CorsRule;
  /** The sync credentials, changed (a wrong key). */
  readonly store?: Partial<StoreConfig>;
  /** Ctrl-C, as watchInterrupt gives it. */
  readonly signal?: { readonly aborted: boolean };
}

export class SetupWorld {
  /** Every request that reached the server through the proxy: `METHOD /path?query`. */
  readonly requests: string[] = [];
  private destroyers: (() => void)[] = [];

  private constructor(
    readonly server: LocalBucket, readonly proxy: FaultProxy, readonly config: StoreConfig, readonly archiveBucket: string | undefined,
    private readonly directory: string,
  ) {}

  static async start(options: WorldOptions = {}): Promise<SetupWorld> {
    const directory = await mkdtemp(join(tmpdir(), 'setup-s3rver-'));
    const archiveBucket = options.archive === false ? undefined : 'records';
    const server = await startLocalBucket({ directory, bucket: 'images', otherBuckets: archiveBucket ? [archiveBucket] : [], port: 0, ephemeral: true });
    const proxy = new FaultProxy(server.store.endpoint);
    const world = new SetupWorld(server, proxy, { ...server.store, provider: 's3', endpoint: await proxy.start() }, archiveBucket, directory);
    proxy.onRequest = (_op, _key, req) => { world.requests.push(`${req.method} ${req.url}`); };
    await world.store().put({ key: IMAGE_KEY, ...body('abba'), contentType: 'image/jpeg', cacheControl: CACHE, metadata: {} });
    world.requests.length = 0;
    return world;
  }

  /** The store commands would open (a split store when records live apart), with these credentials. */
  store(over: Partial<StoreConfig> = {}): ObjectStore {
    const connected = connectStore({ ...this.config, ...over }, { maxAttempts: 1, archiveBucket: this.archiveBucket });
    this.destroyers.push(connected.destroy);
    return connected.store;
  }

  /** The images' bucket alone, straight to the server (setting things up behind setup's back). */
  images(): ObjectStore {
    const connected = connectStore(this.server.store, { maxAttempts: 1 });
    this.destroyers.push(connected.destroy);
    return connected.store;
  }

  settings(bucket = 'images'): BucketSettings {
    const opened = openBucketSettings(this.server.store);
    this.destroyers.push(opened.destroy);
    return opened.settings(bucket);
  }

  run(options: RunOptions = {}): Promise<SetupReport> {
    const environment = options.environment ?? 'staging';
    const admin = options.admin ?? true;
    const access: ConfigAccess = admin === false
      ? { config: this.config, admin: false, canApply: environment === 'development' }
      : { config: admin === true ? this.config : admin, admin: true, canApply: true };
    const target: SetupTarget = {
      env: { name: environment, bucket: 'images', archiveBucket: this.archiveBucket, cacheControl: CACHE, cors: options.cors ?? SEED_CORS },
      store: this.store(options.store), publicBase: options.publicBase === null ? undefined : options.publicBase ?? this.server.publicBase,
      embedded: false, access,
    };
    return runSetup(target, { dryRun: options.dryRun ?? false, timeoutMs: 3000, signal: options.signal });
  }

  async close(): Promise<void> {
    for (const destroy of this.destroyers) destroy();
    await this.proxy.close();
    await this.server.close();
    await rm(this.directory, { recursive: true, force: true });
  }
}

export function body(text: string): { body: Buffer; md5: string } {
  const bytes = Buffer.from(text);
  return { body: bytes, md5: createHash('md5').update(bytes).digest('hex') };
}

/** `name → ok` of a report's items, for a compact assertion. */
export function statuses(report: SetupReport): Record<string, SetupItem['ok']> {
  return Object.fromEntries(report.items.map((item) => [item.name, item.ok]));
}

export function item(report: SetupReport, name: string): SetupItem {
  const found = report.items.find((i) => i.name === name);
  if (!found) throw new Error(`no item "${name}" in ${report.items.map((i) => i.name).join(', ')}`);
  return found;
}
