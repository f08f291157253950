/**
 * A tiny caching CDN in front of a real bucket's public URLs: the first answer for a path is kept and
 * served again with `cf-cache-status: HIT` and an `Age`, as Cloudflare does until a purge.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Cached { status: number; headers: Record<string, string>; body: Buffer }

export class CachingCdn {
  private server?: Server;
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly origin: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const path = req.url ?? '/';
      const hit = this.cache.get(path);
      if (hit) {
        res.writeHead(hit.status, { ...hit.headers, 'cf-cache-status': 'HIT', age: '120' });
        res.end(hit.body);
        return;
      }
      fetch(`${this.origin}${path}`).then(async (answer) => {
        const body = Buffer.from(await answer.arrayBuffer());
        const headers: Record<string, string> = {};
        for (const name of ['content-type', 'cache-control', 'etag']) {
          const value = answer.headers.get(name);
          if (value !== null) headers[name] = value;
        }
        this.cache.set(path, { status: answer.status, headers, body });
        res.writeHead(answer.status, { ...headers, 'cf-cache-status': 'MISS' });
        res.end(body);
      }).catch(() => { res.writeHead(502); res.end(); });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  purge(): void {
    this.cache.clear();
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
