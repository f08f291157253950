/**
 * A lean signed PUT for uploading many objects (sync, restore, records): SigV4 computed synchronously for
 * the one PUT shape we send (Content-MD5, Content-Type, Cache-Control, x-amz-meta-*, If-Match /
 * If-None-Match) over node:http(s) with keep-alive. Through the SDK client a PUT cost about four times the
 * client CPU (middleware stack, its HTTP handler: bench/README.md "Scale benchmark"); on a 2-core runner
 * beside the server that is upload throughput. Same retry strategy and deadlines as the client.
 */
import { createHash } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { SLOWEST_UPLOAD_BYTES_PER_S } from './answer-deadline';
import type { PutRequest } from './object-store';
import { DEFAULT_REQUEST_TIMEOUT_MS, jitteredRetryStrategy, type ClientOptions, type StoreConfig } from './s3-client';
import { encodeSegment, failureOf, retryAfterHint, retryType, signRequest, type ReadFailure } from './s3-fetch-reader';

/** What a PUT answers, named as the SDK's PutObject output is. */
export interface PutAnswer { readonly ETag?: string; readonly VersionId?: string }

/** One single-part PUT with the given conditions (those of `request` are not read: the caller decides). */
export type ObjectWriter = (request: PutRequest, conditions: { IfMatch?: string; IfNoneMatch?: string }) => Promise<PutAnswer>;

/** The headers of the one PUT shape we send, lower-case names, before signing. */
export function putHeaders(request: PutRequest, conditions: { IfMatch?: string; IfNoneMatch?: string }): Record<string, string> {
  const headers: Record<string, string> = {
    'content-length': String(request.body.length), 'content-md5': Buffer.from(request.md5, 'hex').toString('base64'),
    'content-type': request.contentType, 'cache-control': request.cacheControl,
  };
  for (const [name, value] of Object.entries(request.metadata)) headers[`x-amz-meta-${name.toLowerCase()}`] = value;
  if (conditions.IfMatch) headers['if-match'] = conditions.IfMatch;
  if (conditions.IfNoneMatch) headers['if-none-match'] = conditions.IfNoneMatch;
  return headers;
}

interface Answer { status: number; statusText: string; headers: IncomingMessage['headers']; text: string }

const network = (error: unknown): ReadFailure & { code?: string } => {
  const e = error as { message?: string; code?: string; name?: string };
  return { name: e.name === 'TimeoutError' ? 'TimeoutError' : 'NetworkError', message: String(e.message ?? error), code: e.code, $metadata: {} };
};

export function createObjectWriter(store: StoreConfig, options: ClientOptions = {}): ObjectWriter {
  const base = new URL(store.endpoint);
  const https = base.protocol === 'https:';
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
  const agent = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  const send = https ? httpsRequest : httpRequest;
  const keys = new Map<string, Buffer>();
  const retry = jitteredRetryStrategy(options);
  const prefix = base.pathname.replace(/\/+$/, '');
  const idleMs = options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS;

  // One attempt: no progress for idleMs fails it, and so does no whole answer by twice that plus the upload at the slowest rate taken.
  const attempt = (path: string, headers: Record<string, string>, body: Buffer): Promise<Answer> => new Promise((resolve, reject) => {
    const req = send({ host: base.hostname, port: base.port || undefined, method: 'PUT', path, headers, agent });
    const wholeMs = 2 * idleMs + Math.ceil((body.length / SLOWEST_UPLOAD_BYTES_PER_S) * 1000);
    const timeout = (what: string) => () => req.destroy(Object.assign(new Error(`${what} within ${what === 'no progress' ? idleMs : wholeMs} ms`), { name: 'TimeoutError' }));
    const whole = setTimeout(timeout('no whole answer'), wholeMs);
    req.setTimeout(idleMs, timeout('no progress'));
    req.on('error', (error) => { clearTimeout(whole); reject(error); });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => { clearTimeout(whole); reject(error); });
      res.on('end', () => {
        clearTimeout(whole);
        resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(body);
  });

  return async (request, conditions) => {
    const path = `${prefix}/${encodeSegment(store.bucket)}/${request.key.split('/').map(encodeSegment).join('/')}`;
    const headers = putHeaders(request, conditions);
    const payloadHash = createHash('sha256').update(request.body).digest('hex');
    let token = await retry.acquireInitialRetryToken('s3');
    for (;;) {
      options.onRequest?.('PutObject');
      const signed = signRequest(store, { method: 'PUT', host: base.host, path, headers, payloadHash }, new Date(), keys);
      const answer = await attempt(path, { ...headers, ...signed }, request.body).catch((error: unknown) => network(error));
      if ('status' in answer && answer.status >= 200 && answer.status < 300) {
        const versionId = answer.headers['x-amz-version-id'];
        return { ETag: answer.headers.etag, VersionId: typeof versionId === 'string' ? versionId : undefined };
      }
      const error = 'status' in answer ? failureOf(answer.status, answer.statusText, answer.text) : answer;
      const type = 'status' in answer ? retryType(answer.status) : 'TRANSIENT';
      if (!type) throw error;
      token = await retry.refreshRetryTokenForRetry(token, {
        errorType: type, error: error as Parameters<typeof retry.refreshRetryTokenForRetry>[1]['error'],
        retryAfterHint: 'status' in answer ? retryAfterHint(String(answer.headers['retry-after'] ?? '') || null) : undefined,
      });
      await new Promise((resolve) => setTimeout(resolve, token.getRetryDelay()));
    }
  };
}
