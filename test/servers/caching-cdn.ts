/**
 * A small caching CDN in front of a real bucket's public URLs, behaving as Cloudflare documents for an R2
 * custom domain: the origin's Cache-Control decides how long an answer is kept (`s-maxage` over `max-age`;
 * `no-store`, `private` and `no-cache` are not kept; with none, a 200 is kept 120 minutes and a 404 3 minutes);
 * the cache key is the path with its query (and the request's Origin, since the answer carries CORS for it);
 * answers say `cf-cache-status: HIT|MISS|EXPIRED` with an `Age`. Purges by URL, prefix, host or everything,
 * called directly or by the purge API (test/servers/cloudflare-api.ts's onPurge).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Cached { status: number; headers: Record<string, string>; body: Buffer; storedAt: number; ttlMs: number; path: string }

const KEPT_HEADERS = ['content-type', 'cache-control', 'etag', 'vary'];

/** How long a shared cache may keep an answer, from its Cache-Control (ms); 0: not kept. */
export function sharedTtlMs(status: number, cacheControl: string | null): number {
  const directives = new Map((cacheControl ?? '').split(',').map((d) => d.trim().toLowerCase()).filter(Boolean)
    .map((d) => { const [name, value] = d.split('='); return [name ?? '', value] as const; }));
  if (directives.has('no-store') || directives.has('private') || directives.has('no-cache')) return 0;
  const seconds = Number(directives.get('s-maxage') ?? directives.get('max-age') ?? Number.NaN);
  if (Number.isFinite(seconds)) return Math.max(0, seconds) * 1000;
  if (status === 200) return 120 * 60_000;
  return status === 404 ? 3 * 60_000 : 0;
}

export class CachingCdn {
  private server?: Server;
  private readonly cache = new Map<string, Cached>();
  private base = '';
  /** Requests that reached the origin. */
  originRequests = 0;

  /**
   * `now` lets a test move time forward (TTLs of a year are not waited for). `varyOnOrigin: false` is a CDN
   * whose cache key ignores the Origin header: one visitor's answer (with or without CORS headers) is served to all.
   */
  constructor(private readonly origin: string, private readonly now: () => number = Date.now, private readonly options: { varyOnOrigin?: boolean } = {}) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const path = req.url ?? '/';
      const origin = typeof req.headers.origin === 'string' ? req.headers.origin : '';
      const key = this.options.varyOnOrigin === false ? path : `${path}\n${origin}`;
      const hit = req.method === 'GET' || req.method === 'HEAD' ? this.cache.get(key) : undefined;
      const age = hit ? this.now() - hit.storedAt : 0;
      if (hit && age < hit.ttlMs) {
        res.writeHead(hit.status, { ...hit.headers, 'cf-cache-status': 'HIT', age: String(Math.floor(age / 1000)) });
        res.end(req.method === 'HEAD' ? undefined : hit.body);
        return;
      }
      this.originRequests += 1;
      const forwarded = Object.fromEntries(['origin', 'access-control-request-method', 'access-control-request-headers']
        .flatMap((name) => (typeof req.headers[name] === 'string' ? [[name, req.headers[name] as string]] : [])));
      fetch(`${this.origin}${path}`, { method: req.method, headers: forwarded }).then(async (answer) => {
        const body = Buffer.from(await answer.arrayBuffer());
        const headers: Record<string, string> = {};
        for (const [name, value] of answer.headers) if (KEPT_HEADERS.includes(name) || name.startsWith('access-control-')) headers[name] = value;
        const ttlMs = req.method === 'GET' ? sharedTtlMs(answer.status, answer.headers.get('cache-control')) : 0;
        if (ttlMs > 0) this.cache.set(key, { status: answer.status, headers, body, storedAt: this.now(), ttlMs, path });
        res.writeHead(answer.status, { ...headers, 'cf-cache-status': hit ? 'EXPIRED' : 'MISS' });
        res.end(req.method === 'HEAD' ? undefined : body);
      }).catch(() => { res.writeHead(502); res.end(); });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
    return this.base;
  }

  /** The answers kept now, by path (with query). */
  cachedPaths(): string[] {
    return [...new Set([...this.cache.values()].map((c) => c.path))].sort();
  }

  /** Purge everything. */
  purge(): void {
    this.cache.clear();
  }

  /** Purge by URL: exactly these (the query is part of the cache key). */
  purgeFiles(urls: readonly string[]): void {
    const paths = new Set(urls.map((u) => new URL(u)).filter((u) => u.origin === this.base).map((u) => `${u.pathname}${u.search}`));
    this.drop((c) => paths.has(c.path));
  }

  /** Purge by prefix, written as Cloudflare takes it: host and path, no scheme (`127.0.0.1:1234/album/`). */
  purgePrefixes(prefixes: readonly string[]): void {
    const host = this.base.replace(/^https?:\/\//, '');
    this.drop((c) => prefixes.some((p) => `${host}${c.path}`.startsWith(p)));
  }

  purgeHosts(hosts: readonly string[]): void {
    if (hosts.includes(this.base.replace(/^https?:\/\//, '').replace(/:\d+$/, ''))) this.purge();
  }

  /** What the purge API accepted, applied to this cache (the body Cloudflare's purge_cache takes). */
  applyPurge(body: { files?: readonly (string | { url: string })[]; prefixes?: readonly string[]; hosts?: readonly string[]; purge_everything?: boolean }): void {
    if (body.purge_everything) this.purge();
    if (body.files) this.purgeFiles(body.files.map((f) => (typeof f === 'string' ? f : f.url)));
    if (body.prefixes) this.purgePrefixes(body.prefixes);
    if (body.hosts) this.purgeHosts(body.hosts);
  }

  private drop(match: (cached: Cached) => boolean): void {
    for (const [key, cached] of this.cache) if (match(cached)) this.cache.delete(key);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
