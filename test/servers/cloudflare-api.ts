/**
 * A local stand-in for Cloudflare's purge API on 127.0.0.1, keeping to its documented contract:
 * `POST /client/v4/zones/<zone>/purge_cache` with a bearer token (403, code 10000 otherwise) and a JSON
 * body of `files` (≤ 100, or the limit given), `prefixes` or `hosts` (≤ 30; 400, code 1012 otherwise) or
 * `purge_everything`, an optional token bucket (429 with Retry-After when empty), and scripted faults: error
 * statuses, 429s, answers that never come, connections reset before or after the purge. Every accepted
 * purge is recorded.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PurgeSettings } from '../../lib/edge/purge-settings';

/** A purge the API accepted, as sent: files may be URLs or `{ url, headers }` objects. */
export interface PurgeBody {
  readonly files?: readonly (string | { readonly url: string })[];
  readonly prefixes?: readonly string[];
  readonly hosts?: readonly string[];
  readonly purge_everything?: true;
}

/**
 * A scripted answer: a status (with Retry-After seconds and a JSON body if given); `hang` (no answer
 * until the client gives up); `reset` (the connection is reset before the purge); `reset-after` (the purge
 * is done and recorded, then the connection is reset: the answer is lost).
 */
export type ApiFault = { readonly status: number; readonly retryAfter?: number; readonly body?: unknown; readonly raw?: never; readonly flood?: never } | RawFault | 'hang' | 'reset' | 'reset-after';

/**
 * An answer that is not Cloudflare's JSON: `raw` bytes as given (with a Content-Encoding, e.g. a gzip
 * bomb), or `flood`: bytes without end until the client hangs up (at most 1 GB).
 */
export type RawFault = { readonly status: number; readonly retryAfter?: never; readonly body?: never; readonly raw?: string | Buffer; readonly encoding?: string; readonly flood?: true };

export interface CloudflareApiOptions {
  readonly token: string;
  readonly zoneId: string;
  /** URLs a `files` purge may name (default 100; Enterprise 500, some older plans 30). */
  readonly filesPerRequest?: number;
  /** The account's token bucket; none by default. */
  readonly rate?: { readonly perSecond: number; readonly burst: number };
}

export const LIST_LIMIT = 30;
const ROUTE = /^\/client\/v4\/zones\/([^/]+)\/purge_cache$/;

const failure = (code: number, message: string) => ({ success: false, errors: [{ code, message }], messages: [], result: null });

type Verdict = { status: number; body: unknown; retryAfter?: number; purge?: PurgeBody };

export class CloudflareApi {
  /** Every purge accepted, in order. */
  readonly purges: PurgeBody[] = [];
  /** Requests received, answered or not. */
  received = 0;
  /** The next answers, first first: each request takes one before anything is checked. */
  readonly faults: ApiFault[] = [];
  /** Asked (with the parsed body, or undefined) for each request the queue leaves alone. */
  faultFor?: (body: unknown) => ApiFault | undefined;
  /** Called with every purge accepted (a caching proxy in front of a bucket can drop those URLs). */
  onPurge?: (body: PurgeBody) => void;
  private server?: Server;
  private readonly hung = new Set<ServerResponse>();
  private tokens: number;
  private refilledAt = Date.now();

  constructor(private readonly options: CloudflareApiOptions) {
    this.tokens = options.rate?.burst ?? 0;
  }

  /** Starts listening; resolves to the API base (`http://127.0.0.1:<port>/client/v4`). */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.received += 1;
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/client/v4`;
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Every URL or prefix recorded, for checks that something was purged. */
  purged(): { files: Set<string>; prefixes: string[]; hosts: Set<string> } {
    return {
      files: new Set(this.purges.flatMap((p) => p.files ?? []).map((f) => (typeof f === 'string' ? f : f.url))),
      prefixes: this.purges.flatMap((p) => p.prefixes ?? []),
      hosts: new Set(this.purges.flatMap((p) => p.hosts ?? [])),
    };
  }

  private handle(req: IncomingMessage, res: ServerResponse, text: string): void {
    let json: unknown;
    try { json = JSON.parse(text); } catch { json = undefined; }
    const fault = this.faults.shift() ?? this.faultFor?.(json);
    if (fault === 'hang') { this.hung.add(res); res.on('close', () => this.hung.delete(res)); return; }
    if (fault === 'reset') { req.socket.destroy(); return; }
    if (typeof fault === 'object' && (fault.raw !== undefined || fault.flood)) { this.answerRaw(res, fault as RawFault); return; }
    if (typeof fault === 'object') {
      this.answer(res, { status: fault.status, retryAfter: fault.retryAfter, body: fault.body ?? failure(fault.status === 429 ? 971 : 10001, 'injected') });
      return;
    }
    const verdict = this.verdict(req, json);
    if (verdict.purge) {
      this.purges.push(verdict.purge);
      this.onPurge?.(verdict.purge);
    }
    if (fault === 'reset-after') { req.socket.destroy(); return; }
    this.answer(res, verdict);
  }

  private answer(res: ServerResponse, verdict: Verdict): void {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (verdict.retryAfter !== undefined) headers['retry-after'] = String(verdict.retryAfter);
    res.writeHead(verdict.status, headers);
    res.end(JSON.stringify(verdict.body));
  }

  private answerRaw(res: ServerResponse, fault: RawFault): void {
    res.writeHead(fault.status, { 'content-type': 'text/html', ...(fault.encoding ? { 'content-encoding': fault.encoding } : {}) });
    if (!fault.flood) { res.end(fault.raw); return; }
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    const more = () => {
      while (sent < 1024 ** 3 && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) { res.once('drain', more); return; }
      }
      res.end();
    };
    res.on('close', () => res.removeAllListeners('drain'));
    more();
  }

  private verdict(req: IncomingMessage, json: unknown): Verdict {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = ROUTE.exec(path);
    if (!route) return { status: 404, body: failure(7000, 'No route for that URI') };
    if (req.method !== 'POST') return { status: 405, body: failure(7001, 'Method not allowed for this route') };
    if (req.headers.authorization !== `Bearer ${this.options.token}`) return { status: 403, body: failure(10000, 'Authentication error') };
    if (route[1] !== this.options.zoneId) {
      return { status: 400, body: failure(7003, `Could not route to /zones/${route[1]}/purge_cache, perhaps your object identifier is invalid?`) };
    }
    const wait = this.throttleSeconds();
    if (wait !== undefined) return { status: 429, retryAfter: wait, body: failure(971, 'Please wait and consider throttling your request speed') };
    const problem = bodyProblem(json, this.options.filesPerRequest ?? 100);
    if (problem) return { status: 400, body: failure(1012, problem) };
    const id = randomBytes(16).toString('hex');
    return { status: 200, body: { success: true, errors: [], messages: [], result: { id } }, purge: json as PurgeBody };
  }

  /** Takes a token from the bucket, or says how many whole seconds until one is there. */
  private throttleSeconds(): number | undefined {
    const rate = this.options.rate;
    if (!rate) return undefined;
    const at = Date.now();
    this.tokens = Math.min(rate.burst, this.tokens + ((at - this.refilledAt) / 1000) * rate.perSecond);
    this.refilledAt = at;
    if (this.tokens >= 1) { this.tokens -= 1; return undefined; }
    return Math.max(1, Math.ceil((1 - this.tokens) / rate.perSecond));
  }
}

const isUrl = (value: unknown) => typeof value === 'string' && /^https?:\/\/[^/\s]+/i.test(value);

/** What is wrong with a purge body, as Cloudflare would say it; undefined for a files, prefixes or hosts purge within the limits, or purge_everything. */
export function bodyProblem(json: unknown, filesPerRequest: number): string | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'Request body is not a JSON object';
  const keys = Object.keys(json);
  if (keys.length === 1 && keys[0] === 'purge_everything') return (json as { purge_everything: unknown }).purge_everything === true ? undefined : 'purge_everything must be true';
  if (keys.length !== 1 || !['files', 'prefixes', 'hosts'].includes(keys[0] as string)) return 'Request must contain exactly one of files, prefixes, hosts or purge_everything';
  const key = keys[0] as 'files' | 'prefixes' | 'hosts';
  const list = (json as Record<string, unknown>)[key];
  if (!Array.isArray(list) || list.length === 0) return `${key} must be a non-empty array`;
  const limit = key === 'files' ? filesPerRequest : LIST_LIMIT;
  if (list.length > limit) return `Too many ${key} in one request: the limit is ${limit}`;
  if (key === 'files' && !list.every((f) => isUrl(f) || (typeof f === 'object' && f !== null && isUrl((f as { url?: unknown }).url)))) {
    return 'files must be URLs (or objects with a url)';
  }
  const schemeless = (value: unknown, shape: RegExp) => typeof value === 'string' && !value.includes('://') && shape.test(value);
  // A bare host is a prefix too: it covers the whole host.
  if (key === 'prefixes' && !list.every((p) => schemeless(p, /^[^/\s]+(\/\S*)?$/))) return 'prefixes must be host/path without a scheme';
  if (key === 'hosts' && !list.every((h) => schemeless(h, /^[^/\s]+$/))) return 'hosts must be host names';
  return undefined;
}

/** A started local API and the purge settings that reach it (Enterprise's rate: tests pace themselves). */
export async function startPurgeApi(token: string, zoneId: string, options: Partial<CloudflareApiOptions> = {}): Promise<{ api: CloudflareApi; settings: PurgeSettings }> {
  const api = new CloudflareApi({ token, zoneId, ...options });
  return { api, settings: { apiBase: await api.start(), zoneId, token, plan: 'enterprise', urlsPerRequest: 100, purgeByPrefixAbove: 1000 } };
}
