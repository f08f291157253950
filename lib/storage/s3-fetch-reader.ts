/**
 * A lean signed GET for reading many objects back (verify --deep, restore --pull): SigV4 from the SDK's
 * own signer over Node's fetch. Through the full SDK client a GET costs ~0.8 ms of CPU for middleware
 * and stream wrapping; this path costs ~0.4 ms (bench/README.md), which on a 2-core runner is read
 * throughput. Same store quirks as the client (region `auto` on R2, path style) and the same retries.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { ObjectHead } from './object-store';
import { jitteredRetryStrategy, type ClientOptions, type StoreConfig } from './s3-client';

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string' ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);

class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void { this.hash.update(bytes(data)); }
  async digest(): Promise<Uint8Array> { return new Uint8Array(this.hash.digest()); }
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

async function failure(response: Response): Promise<ReadFailure> {
  const text = await response.text().catch(() => '');
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? (response.status === 404 ? 'NoSuchKey' : `HTTP${response.status}`);
  const message = /<Message>([^<]+)<\/Message>/.exec(text)?.[1] ?? response.statusText;
  return { name: code, message, $metadata: { httpStatusCode: response.status } };
}

const retryType = (status: number) => (status === 429 || status === 503 ? 'THROTTLING' : status >= 500 ? 'SERVER_ERROR' : undefined);

export function createObjectReader(store: StoreConfig, options: ClientOptions = {}): ObjectReader {
  const base = new URL(store.endpoint);
  const signer = new SignatureV4({
    credentials: { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey },
    region: store.provider === 'r2' ? 'auto' : store.region, service: 's3', sha256: NodeSha256, uriEscapePath: false,
  });
  const retry = jitteredRetryStrategy(options);
  const prefix = base.pathname.replace(/\/+$/, '');
  return async (key) => {
    const path = `${prefix}/${encodeURIComponent(store.bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
    let token = await retry.acquireInitialRetryToken('s3');
    for (;;) {
      const signed = await signer.sign({
        method: 'GET', protocol: base.protocol, hostname: base.hostname, port: base.port ? Number(base.port) : undefined,
        path, query: {}, headers: { host: base.host },
      });
      let response: Response | undefined;
      let error: unknown;
      try {
        response = await fetch(new URL(path, base), {
          headers: signed.headers as Record<string, string>, signal: AbortSignal.timeout(options.requestTimeout ?? 60_000),
        });
      } catch (caught) {
        error = { name: 'NetworkError', message: String((caught as Error).cause ?? caught), code: ((caught as Error).cause as { code?: string })?.code, $metadata: {} };
      }
      if (response?.ok && response.body) {
        // The web stream as it is: wrapping it in a node Readable costs CPU per chunk (bench/README.md).
        return { body: response.body as unknown as AsyncIterable<Uint8Array>, head: headFrom(key, response.headers) };
      }
      if (response) error = await failure(response);
      const type = response ? retryType(response.status) : 'TRANSIENT';
      if (!type) throw error;
      token = await retry.refreshRetryTokenForRetry(token, { errorType: type, error: error as Parameters<typeof retry.refreshRetryTokenForRetry>[1]['error'] });
      await new Promise((resolve) => setTimeout(resolve, token.getRetryDelay()));
    }
  };
}
