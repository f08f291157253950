/** Opens the store an environment names: the embedded local bucket in development, else S3/R2. */
import { setMaxListeners } from 'node:events';
import { resolve } from 'node:path';
import type { Environment } from '../config/environment';
import type { AdaptiveLimiter } from '../execute/adaptive-limiter';
import { findRunningServe } from '../serve/endpoint-file';
import { localStoreConfig, startLocalBucket } from '../storage/local-bucket';
import type { ObjectStore } from '../storage/object-store';
import { createS3Client, type StoreConfig } from '../storage/s3-client';
import { createObjectReader } from '../storage/s3-fetch-reader';
import { createObjectWriter } from '../storage/s3-put-writer';
import { S3Store } from '../storage/s3-store';
import { SplitStore } from '../storage/split-store';
import { isReserved } from './object-scope';

export const LOCAL_BUCKET_DIR = '.local-bucket';
/** Fixed so the printed public URLs stay the same between runs; 0 (any free port) if it is taken. */
export const LOCAL_BUCKET_PORT = 4568;

export interface OpenStore {
  readonly store: ObjectStore;
  readonly config: StoreConfig;
  readonly publicBase?: string;
  /** Set for the embedded bucket: where its data lives. */
  readonly localDirectory?: string;
  /** Set when the embedded bucket is the one a running `gulp serve` keeps up: its pid. */
  readonly servedBy?: number;
  close(): Promise<void>;
}

/** How a store is wired to the run: the limiter that throttling slows, and (for tests) retries and deadlines. */
export interface StoreWiring {
  readonly limiter?: AdaptiveLimiter;
  readonly maxAttempts?: number;
  readonly backoffBase?: number;
  readonly maxRetryDelay?: number;
  /** Milliseconds a request may go without progress before it is failed (and retried). */
  readonly requestTimeout?: number;
  /** R2_ARCHIVE_BUCKET: the tool's records in this other bucket of the same account. */
  readonly archiveBucket?: string;
  /** Told of every request sent (the run history's count). */
  readonly onRequest?: (operation: string) => void;
}

/**
 * The store every command talks to, for a bucket: one S3 client (throttling and dropped connections
 * slow the run's limiter), the lean reader for GETs and writer for PUTs, and the split store when records live apart.
 */
export function connectStore(config: StoreConfig, wiring: StoreWiring = {}): { store: ObjectStore; destroy(): void } {
  const closing = new AbortController();
  // Every read in flight listens to it (16 and more at once): not a leak, so no warning.
  setMaxListeners(0, closing.signal);
  const clientOptions = {
    closed: closing.signal,
    maxAttempts: wiring.maxAttempts, backoffBase: wiring.backoffBase, requestTimeout: wiring.requestTimeout, maxRetryDelay: wiring.maxRetryDelay, onRequest: wiring.onRequest,
    onRetry: (type: string) => { if (type === 'THROTTLING' || type === 'TRANSIENT') wiring.limiter?.throttled(); },
  };
  const client = createS3Client(config, clientOptions);
  const bucketStore = (bucketConfig: StoreConfig) => new S3Store(client, bucketConfig, {
    reader: createObjectReader(bucketConfig, clientOptions), writer: createObjectWriter(bucketConfig, clientOptions),
  });
  const images = bucketStore(config);
  let store: ObjectStore = images;
  if (wiring.archiveBucket) {
    const records = { ...config, bucket: wiring.archiveBucket };
    store = new SplitStore({ store: images, bucket: config.bucket }, { store: bucketStore(records), bucket: records.bucket }, isReserved);
  }
  return { store, destroy: () => { closing.abort(new Error('the store was closed')); client.destroy(); } };
}

export async function openStore(env: Environment, options: { limiter?: AdaptiveLimiter; maxAttempts?: number; onRequest?: (operation: string) => void } = {}): Promise<OpenStore> {
  let config = env.store;
  let closeServer = async () => undefined as void;
  let publicBase = env.publicBase;
  let localDirectory: string | undefined;
  let servedBy: number | undefined;
  if (!config) {
    localDirectory = resolve(LOCAL_BUCKET_DIR);
    const buckets = { bucket: env.bucket, otherBuckets: env.archiveBucket ? [env.archiveBucket] : [] };
    // A `gulp serve` keeping this folder's bucket up is used as it is (its writes then go through one server).
    const served = await findRunningServe(localDirectory, [buckets.bucket, ...buckets.otherBuckets]);
    if (served) {
      config = localStoreConfig(`http://127.0.0.1:${served.port}`, env.bucket);
      publicBase = `${config.endpoint}/${env.bucket}`;
      servedBy = served.pid;
    } else {
      const local = await startLocalBucket({ directory: localDirectory, ...buckets, port: LOCAL_BUCKET_PORT })
        .catch(() => startLocalBucket({ directory: localDirectory as string, ...buckets, port: 0 }));
      config = local.store;
      publicBase = local.publicBase;
      closeServer = local.close;
    }
  }
  const { store, destroy } = connectStore(config, { ...options, archiveBucket: env.archiveBucket });
  return {
    store, config, publicBase, localDirectory, servedBy,
    close: async () => { destroy(); await closeServer(); },
  };
}
