/**
 * The one S3 client factory: the only module that constructs `S3Client`, and the home of every store
 * quirk. R2: region `auto`, path style, flexible checksums only WHEN_REQUIRED (R2 answered 501 to the
 * SDK's default CRC32 headers, aws-sdk-js-v3#6810; s3rver stores aws-chunked framing as object bytes);
 * bucket configuration calls (CORS, lifecycle) signed with Content-MD5 instead of the flexible checksum headers.
 */
import {
  CreateBucketCommand, PutBucketVersioningCommand, S3Client, type ServiceInputTypes, type ServiceOutputTypes,
} from '@aws-sdk/client-s3';
import { AnswerDeadlineHandler } from './answer-deadline';
import type { BuildHandlerArguments, BuildMiddleware, RetryErrorInfo, RetryErrorType, RetryStrategyV2, RetryToken } from '@smithy/types';
import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

// The SDK warns on every Node 20 process that releases after January 2027 need Node 22. We pin
// @aws-sdk/client-s3 in package.json for exactly that reason (README: "AWS SDK and Node 20"), so the
// warning says nothing actionable to users; an explicit setting in the environment still wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export type StoreProvider = 'r2' | 's3' | 'local';

/** Where a bucket is and how to sign for it. Secrets live only here, never in messages. */
export interface StoreConfig {
  readonly provider: StoreProvider;
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface ClientOptions {
  /** Attempts per request, first included. */
  readonly maxAttempts?: number;
  /** Called before each retry: lets the executor slow down on throttling. */
  readonly onRetry?: (type: RetryErrorType, attempt: number) => void;
  readonly maxSockets?: number;
  /**
   * Deadline in milliseconds for a request's answer to begin, and for a body to go without data: past it
   * the request is failed (and retried). Every wait on the network has one.
   */
  readonly requestTimeout?: number;
  /** Base of the exponential backoff, in ms (tests shorten it). */
  readonly backoffBase?: number;
  /** The longest wait before a retry, Retry-After included (default MAX_RETRY_DELAY_MS; tests shorten it). */
  readonly maxRetryDelay?: number;
  /** Called for every request sent, each attempt of it (`GetObject`): what the run history counts. */
  readonly onRequest?: (operation: string) => void;
  /** Aborted when the store is closed: a read still in flight (one given up on by a deadline) ends then, not minutes later. */
  readonly closed?: AbortSignal;
}

/** How a store wants `CopySource` encoded. s3rver decodes it with decodeURI, so `%2B` would stay encoded. */
export function encodeCopySource(provider: StoreProvider, bucket: string, key: string): string {
  if (provider === 'local') return encodeURI(`${bucket}/${key}`);
  return `${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** The longest wait before a retry, whatever the backoff or a Retry-After header says. */
export const MAX_RETRY_DELAY_MS = 20_000;

const RETRYABLE: ReadonlySet<RetryErrorType> = new Set(['TRANSIENT', 'THROTTLING', 'SERVER_ERROR']);

/**
 * Exponential backoff with full jitter, throttling (429, SlowDown) starting from a longer base, and no
 * shared retry quota: one bad minute must not leave the rest of a 30,000-object sync without retries.
 */
export function jitteredRetryStrategy(options: ClientOptions = {}): RetryStrategyV2 {
  const maxAttempts = options.maxAttempts ?? 6;
  const base = options.backoffBase ?? 100;
  const cap = options.maxRetryDelay ?? MAX_RETRY_DELAY_MS;
  const token = (count: number, delay: number): RetryToken => ({ getRetryCount: () => count, getRetryDelay: () => delay });
  return {
    acquireInitialRetryToken: async () => token(0, 0),
    refreshRetryTokenForRetry: async (previous: RetryToken, info: RetryErrorInfo) => {
      const attempt = previous.getRetryCount() + 1;
      // 501 Not Implemented is the store's answer (s3rver's lifecycle, R2's versioning), not a passing fault.
      const notImplemented = (info.error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode === 501;
      if (!RETRYABLE.has(info.errorType) || notImplemented || attempt >= maxAttempts) throw info.error ?? new Error('request failed');
      const scale = info.errorType === 'THROTTLING' ? base * 5 : base;
      let delay = Math.random() * Math.min(cap, scale * 2 ** attempt);
      // Retry-After is honoured up to the same cap: a store asking for an hour must not park the run for one.
      const asked = info.retryAfterHint ? info.retryAfterHint.getTime() - Date.now() : NaN;
      if (Number.isFinite(asked)) delay = Math.max(delay, Math.min(cap, asked));
      options.onRetry?.(info.errorType, attempt);
      return token(attempt, delay);
    },
    recordSuccess: () => undefined,
  };
}

/** How long a request may wait for its answer (or a body for its next bytes) unless told otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** R2's S3 endpoint for an account. */
export function r2Endpoint(accountId: string): string {
  return `https://${accountId}.r2.cloudflarestorage.com`;
}

/** The calls whose flexible checksum headers R2 refuses (r2-facts §1, §3): the SDK sends them even WHEN_REQUIRED. */
const BUCKET_CONFIG_COMMANDS: ReadonlySet<string> = new Set(['PutBucketCorsCommand', 'PutBucketLifecycleConfigurationCommand']);

const isFlexibleChecksumHeader = (name: string): boolean => {
  const lower = name.toLowerCase();
  return lower === 'x-amz-sdk-checksum-algorithm' || lower.startsWith('x-amz-checksum-') || lower === 'x-amz-trailer';
};

interface OutgoingRequest { headers: Record<string, string>; body?: unknown }

/**
 * PutBucketCors and PutBucketLifecycleConfiguration need a body checksum; R2 refuses the SDK's
 * `x-amz-sdk-checksum-algorithm` / `x-amz-checksum-crc32` on them, and every S3 store (R2, AWS, Ceph)
 * accepts Content-MD5. Runs after the SDK's checksum middleware (same step, lower priority), before signing.
 */
export function bucketConfigContentMd5<I extends object, O extends object>(): BuildMiddleware<I, O> {
  return (next, context) => async (args: BuildHandlerArguments<I>) => {
    const request = args.request as Partial<OutgoingRequest> | undefined;
    const body = request?.body;
    const bytes = typeof body === 'string' ? Buffer.from(body) : body instanceof Uint8Array ? body : undefined;
    if (!BUCKET_CONFIG_COMMANDS.has(context.commandName ?? '') || !request?.headers || !bytes) return next(args);
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !isFlexibleChecksumHeader(name)));
    headers['content-md5'] = createHash('md5').update(bytes).digest('base64');
    return next({ ...args, request: { ...request, headers } });
  };
}

export function createS3Client(store: StoreConfig, options: ClientOptions = {}): S3Client {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
  const client = new S3Client({
    endpoint: store.endpoint,
    region: store.provider === 'r2' ? 'auto' : store.region,
    forcePathStyle: true,
    credentials: { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    retryStrategy: jitteredRetryStrategy(options),
    // requestTimeout alone only logs a warning in this SDK (a stalled answer then hangs the run forever,
    // found by the fault generator): throwOnRequestTimeout makes it a deadline, socketTimeout bounds
    // a body that stops arriving.
    // And the whole answer has a deadline of its own (answer-deadline.ts): twice the request deadline, plus upload time.
    requestHandler: new AnswerDeadlineHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout: 10_000,
      requestTimeout: options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      socketTimeout: options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS,
    }, 2 * (options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS)),
  });
  client.middlewareStack.add(bucketConfigContentMd5<ServiceInputTypes, ServiceOutputTypes>(), { step: 'build', priority: 'low', name: 'bucketConfigContentMd5' });
  const { onRequest } = options;
  // The deserialize step runs inside the retry loop: once per attempt, as the store counts (and bills) them.
  if (onRequest) client.middlewareStack.add((next, context) => (args) => { onRequest(context.commandName ?? 'unknown'); return next(args); }, { step: 'deserialize', priority: 'high', name: 'countRequests' });
  return client;
}

/** Creates the bucket if it does not exist (test servers and first-time set-up of a private store). */
export async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
}

/** Turns native versioning on or off (suspended) for a bucket: tests and set-up; R2 has none. */
export async function setBucketVersioning(client: S3Client, bucket: string, enabled: boolean): Promise<void> {
  await client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: enabled ? 'Enabled' : 'Suspended' } }));
}

