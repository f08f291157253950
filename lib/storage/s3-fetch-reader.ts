/**
 * A lean signed GET for reading many objects back (verify --deep, restore --pull): SigV4 over Node's
 * fetch, computed synchronously for the one request shape we send (GET, no query, host + date +
 * payload-hash headers). Through the full SDK client a GET cost twice the CPU of a plain fetch
 * (middleware, stream wrapping); on a 2-core runner that is read throughput (bench/README.md). Same
 * store quirks as the client (region `auto` on R2, path style) and the same retry strategy.
 */
import { createHash, createHmac } from 'node:crypto';
import type { ObjectHead } from './object-store';
import { DEFAULT_REQUEST_TIMEOUT_MS, jitteredRetryStrategy, type ClientOptions, type StoreConfig } from './s3-client';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** RFC 3986 encoding of one path segment, as SigV4 canonicalises it (encodeURIComponent leaves !'()* alone). */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** AWS Signature Version 4 headers for `GET <path>` (path already encoded, no query string). */
export function signGet(store: StoreConfig, host: string, path: string, now: Date, cache: Map<string, Buffer>): Record<string, string> {
  return signRequest(store, { method: 'GET', host, path, headers: {}, payloadHash: EMPTY_SHA256 }, now, cache);
}

/** One request to sign: its own headers with lower-case names (host, date and payload hash are added). */
export interface RequestToSign {
  readonly method: string; readonly host: string; readonly path: string;
  readonly headers: Readonly<Record<string, string>>; readonly payloadHash: string;
}

/**
 * SigV4 for a request without a query string, computed synchronously: the given headers plus
 * x-amz-content-sha256, x-amz-date and the Authorization to send (host is signed, not returned). Every
 * header is signed but cache-control, as the SDK's signer leaves it out.
 */
export function signRequest(store: StoreConfig, request: RequestToSign, now: Date, cache: Map<string, Buffer>): Record<string, string> {
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const region = store.provider === 'r2' ? 'auto' : store.region;
  const scope = `${day}/${region}/s3/aws4_request`;
  let key = cache.get(scope);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${store.secretAccessKey}`, day), region), 's3'), 'aws4_request');
    cache.clear();
    cache.set(scope, key);
  }
  const sent = { ...request.headers, 'x-amz-content-sha256': request.payloadHash, 'x-amz-date': amzDate };
  const all: Record<string, string> = { ...sent, host: request.host };
  const names = Object.keys(all).filter((name) => name !== 'cache-control').sort();
  const signed = names.join(';');
  const lines = names.map((name) => `${name}:${String(all[name]).trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonical = `${request.method}\n${request.path}\n\n${lines}\n${signed}\n${request.payloadHash}`;
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return { ...sent, authorization: `AWS4-HMAC-SHA256 Credential=${store.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}` };
}

/** What a failed GET looks like to StoreError: the SDK's error shape. */
export interface ReadFailure { name: string; message: string; code?: string; $metadata: { httpStatusCode?: number } }

export type ObjectReader = (key: string) => Promise<{ body: AsyncIterable<Uint8Array>; head: ObjectHead }>;

const unquote = (etag: string | null): string => (etag ?? '').replace(/"/g, '').toLowerCase();

function headFrom(key: string, headers: Headers): ObjectHead {
  const metadata: Record<string, string> = {};
  headers.forEach((value, name) => { if (name.startsWith('x-amz-meta-')) metadata[name.slice(11)] = value; });
  const modified = headers.get('last-modified');
  return {
    key, size: Number(headers.get('content-length') ?? 0), etag: unquote(headers.get('etag')),
    lastModified: modified ? new Date(modified) : new Date(0),
    contentType: headers.get('content-type') ?? undefined, cacheControl: headers.get('cache-control') ?? undefined, metadata,
  };
}

/** A store's error answer (status and XML body) in the SDK's error shape. */
export function failureOf(status: number, statusText: string, text: string): ReadFailure {
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? (status === 404 ? 'NoSuchKey' : `HTTP${status}`);
  const message = /<Message>([^<]+)<\/Message>/.exec(text)?.[1] ?? statusText;
  return { name: code, message, $metadata: { httpStatusCode: status } };
}

async function failure(response: Response): Promise<ReadFailure> {
  return failureOf(response.status, response.statusText, await response.text().catch(() => ''));
}

/** How the retry strategy treats an error status: throttling, a server error, or not to be retried. */
export const retryType = (status: number) => (status === 429 || status === 503 ? 'THROTTLING' : status >= 500 ? 'SERVER_ERROR' : undefined);

/** Retry-After as a time: seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterHint(value: string | null, now = Date.now()): Date | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  const at = /^\d{1,9}$/.test(trimmed) ? now + Number(trimmed) * 1000 : / GMT$/.test(trimmed) ? Date.parse(trimmed) : NaN;
  return Number.isFinite(at) && Number.isFinite(new Date(at).getTime()) ? new Date(at) : undefined;
}

/** How much longer than the idle deadline a whole body may take (a trickle that never stalls still ends). */
export const BODY_DEADLINE_FACTOR = 5;

/**
 * One request's deadlines, as one abort: the answer must begin within `idleMs`, the body may go `idleMs`
 * without data (the timer restarts on every chunk), and the whole read ends by `idleMs × BODY_DEADLINE_FACTOR` (5 minutes at the default 60 s).
 * A fixed timeout on the whole response would cut off a large object read slowly but steadily.
 */
class Deadline {
  readonly controller = new AbortController();
  private idle: NodeJS.Timeout;
  private readonly total: NodeJS.Timeout;

  private readonly onClose = () => this.controller.abort(this.closed?.reason);

  constructor(private readonly idleMs: number, private readonly key: string, private readonly closed?: AbortSignal) {
    this.idle = this.arm(idleMs, 'no data');
    this.total = this.arm(idleMs * BODY_DEADLINE_FACTOR, 'whole read');
    if (closed?.aborted) this.controller.abort(closed.reason);
    else closed?.addEventListener('abort', this.onClose, { once: true });
  }

  private arm(ms: number, what: string): NodeJS.Timeout {
    const timer = setTimeout(() => this.controller.abort(new Error(`${this.key}: ${what} deadline of ${ms} ms passed`)), ms);
    timer.unref();
    return timer;
  }

  touch(): void {
    clearTimeout(this.idle);
    this.idle = this.arm(this.idleMs, 'no data');
  }

  end(): void {
    clearTimeout(this.idle);
    clearTimeout(this.total);
    this.closed?.removeEventListener('abort', this.onClose);
  }

  async *watch(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
    try {
      for await (const chunk of body) {
        this.touch();
        yield chunk;
      }
    } catch (error) {
      throw this.controller.signal.aborted ? this.controller.signal.reason : error;
    } finally {
      this.end();
      if (!this.controller.signal.aborted) this.controller.abort(new Error(`${this.key}: read given up`));
    }
  }
}

export function createObjectReader(store: StoreConfig, options: ClientOptions = {}): ObjectReader {
  const base = new URL(store.endpoint);
  const keys = new Map<string, Buffer>();
  const retry = jitteredRetryStrategy(options);
  const prefix = base.pathname.replace(/\/+$/, '');
  const idleMs = options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return async (key) => {
    const path = `${prefix}/${encodeSegment(store.bucket)}/${key.split('/').map(encodeSegment).join('/')}`;
    const url = `${base.origin}${path}`;
    let token = await retry.acquireInitialRetryToken('s3');
    for (;;) {
      let response: Response | undefined;
      let error: unknown;
      if (options.closed?.aborted) throw options.closed.reason;
      const deadline = new Deadline(idleMs, key, options.closed);
      options.onRequest?.('GetObject');
      try {
        // A redirect is an answer, not something to follow: its target would get the signed request's headers.
        response = await fetch(url, { headers: signGet(store, base.host, path, new Date(), keys), signal: deadline.controller.signal, redirect: 'manual' });
      } catch (caught) {
        const cause = deadline.controller.signal.aborted ? deadline.controller.signal.reason : (caught as Error).cause ?? caught;
        error = { name: 'NetworkError', message: String((cause as Error)?.message ?? cause), code: (cause as { code?: string })?.code, $metadata: {} };
      }
      if (response?.ok && response.body) {
        deadline.touch();
        return { body: deadline.watch(response.body as unknown as AsyncIterable<Uint8Array>), head: headFrom(key, response.headers) };
      }
      if (response) error = await failure(response);
      deadline.end();
      const type = response ? retryType(response.status) : 'TRANSIENT';
      if (!type) throw error;
      token = await retry.refreshRetryTokenForRetry(token, {
        errorType: type, error: error as Parameters<typeof retry.refreshRetryTokenForRetry>[1]['error'],
        retryAfterHint: response ? retryAfterHint(response.headers.get('retry-after')) : undefined,
      });
      await new Promise((resolve) => setTimeout(resolve, token.getRetryDelay()));
    }
  };
}
