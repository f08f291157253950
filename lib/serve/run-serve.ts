/**
 * `gulp serve`: the embedded bucket kept up, with CORS and render on demand in front of it, and an
 * endpoint file that lets every other command (sync, verify, `npx gulp` in another terminal) use it
 * instead of starting a server of its own.
 */
import { randomUUID } from 'node:crypto';
import { LOCAL_BUCKET_PORT } from '../bucket/open-store';
import type { Environment } from '../config/environment';
import type { ImageConfig } from '../images/config';
import { startLocalBucket, type LocalBucket } from '../storage/local-bucket';
import { bucketMiddleware } from './bucket-middleware';
import { endpointUrl, findRunningServe, removeEndpoint, writeEndpoint } from './endpoint-file';
import { OnDemandRenderer } from './render-on-demand';
import { ServeError } from './serve-error';

export interface ServeOptions {
  /** A development environment on the embedded bucket (no S3_ENDPOINT). */
  readonly env: Environment;
  /** The embedded bucket's folder (`.local-bucket`). */
  readonly directory: string;
  /** undefined: LOCAL_BUCKET_PORT, or any free port when it is taken; 0: any free port. */
  readonly port?: number;
  /** Origins allowed to read cross-origin. */
  readonly origins: readonly string[];
  /** Render on demand from `publicDir` with this recipe; without it, a missing object is a 404. */
  readonly render?: { readonly publicDir: string; readonly config: ImageConfig };
  readonly onRenderError?: (key: string, error: unknown) => void;
}

export interface Serving {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** `${endpoint}/${bucket}`: the public URL of `key` is `${publicBase}/${key}`. */
  readonly publicBase: string;
  /** The default port was taken, so another was picked. */
  readonly portFallback: boolean;
  /** Stops serving and removes the endpoint file (if it is still this serve's). */
  close(): Promise<void>;
}

export async function startServe(options: ServeOptions): Promise<Serving> {
  const { env, directory } = options;
  if (env.store) {
    throw new ServeError(`gulp serve serves the embedded bucket, but S3_ENDPOINT is set: every other command would use ${env.store.endpoint} instead`,
      'unset S3_ENDPOINT (in the environment or .env) to serve the embedded bucket');
  }
  const running = await findRunningServe(directory, []);
  if (running) {
    throw new ServeError(`gulp serve is already running for ${directory} (pid ${running.pid}), at ${endpointUrl(running)}`,
      'use that one (other commands connect to it), or stop it with Ctrl-C in its terminal first');
  }
  const id = randomUUID();
  const buckets = [env.bucket, ...(env.archiveBucket ? [env.archiveBucket] : [])];
  const renderer = options.render && new OnDemandRenderer(options.render);
  const front = [bucketMiddleware({ bucket: env.bucket, origins: options.origins, renderer, identity: { pid: process.pid, id }, onRenderError: options.onRenderError })];
  const start = (port: number) => startLocalBucket({ directory, bucket: env.bucket, otherBuckets: buckets.slice(1), port, front });
  let local: LocalBucket;
  let portFallback = false;
  try {
    local = await start(options.port ?? LOCAL_BUCKET_PORT);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    if (options.port !== undefined) throw new ServeError(`port ${options.port} is taken`, 'pick another with --port, or --port 0 for any free one', error);
    local = await start(0);
    portFallback = true;
  }
  const port = Number(new URL(local.store.endpoint).port);
  try {
    await writeEndpoint(directory, { pid: process.pid, port, id, buckets, startedAt: new Date().toISOString() });
  } catch (error) {
    await local.close();
    throw error;
  }
  return {
    endpoint: local.store.endpoint,
    publicBase: local.publicBase,
    portFallback,
    close: async () => {
      await removeEndpoint(directory, id);
      await local.close();
    },
  };
}

/** Resolves at the first Ctrl-C (or SIGTERM); a second one quits at once. */
export function untilStopped(): Promise<NodeJS.Signals> {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  return new Promise((resolve) => {
    const first = (signal: NodeJS.Signals) => {
      for (const s of signals) {
        process.off(s, first);
        process.once(s, () => process.exit(130));
      }
      resolve(signal);
    };
    for (const s of signals) process.on(s, first);
  });
}
