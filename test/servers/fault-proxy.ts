/**
 * A small HTTP proxy in front of a real S3 server on 127.0.0.1: counts every request by operation and
 * can answer chosen requests with 500/503/429 or drop their connection, to test retries and back-off.
 */
import { createServer, request as httpRequest, type ClientRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Operation = 'list' | 'head' | 'get' | 'put' | 'copy' | 'delete' | 'other';

export interface Fault {
  /** Which requests: an operation, optionally only keys matching `key`. */
  readonly op: Operation;
  readonly key?: RegExp;
  /** Respond with this status, or `drop` the connection without an answer. */
  readonly action: number | 'drop';
  /** How many matching requests to hit; then the fault is spent. */
  times: number;
  /** How many matching requests to let through first (a store that fails part-way through a run). */
  skip?: number;
}

export function operationOf(req: IncomingMessage): Operation {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = decodeURIComponent(url.pathname).split('/').filter(Boolean);
  if (req.method === 'GET' && path.length <= 1) return 'list';
  if (req.method === 'POST' && url.searchParams.has('delete')) return 'delete';
  if (req.method === 'HEAD') return 'head';
  if (req.method === 'GET') return 'get';
  if (req.method === 'PUT') return req.headers['x-amz-copy-source'] ? 'copy' : 'put';
  return 'other';
}

export class FaultProxy {
  readonly counts: Record<Operation, number> = { list: 0, head: 0, get: 0, put: 0, copy: 0, delete: 0, other: 0 };
  readonly faults: Fault[] = [];
  /** Milliseconds to hold every request before forwarding it (slow store). */
  delayMs = 0;
  private server?: Server;
  /** Requests forwarded and not finished: a client killed mid-request can leave one open on the server. */
  private readonly upstreams = new Set<ClientRequest>();
  endpoint = '';

  constructor(private readonly target: string) {}

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  reset(): void {
    for (const op of Object.keys(this.counts) as Operation[]) this.counts[op] = 0;
    this.faults.length = 0;
  }

  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      const op = operationOf(req);
      this.counts[op] += 1;
      const key = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).split('/').slice(2).join('/');
      const fault = this.faults.find((f) => f.times > 0 && f.op === op && (!f.key || f.key.test(key)));
      if (fault && (fault.skip ?? 0) > 0) {
        fault.skip = (fault.skip ?? 0) - 1;
      } else if (fault) {
        fault.times -= 1;
        if (fault.action === 'drop') { req.socket.destroy(); return; }
        req.resume();
        res.writeHead(fault.action, { 'content-type': 'application/xml' });
        const code = fault.action === 429 ? 'SlowDown' : fault.action === 503 ? 'ServiceUnavailable' : 'InternalError';
        res.end(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>injected</Message></Error>`);
        return;
      }
      setTimeout(() => this.forward(req, res, target), this.delayMs);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.endpoint;
  }

  private forward(req: IncomingMessage, res: ServerResponse, target: URL): void {
    const upstream = httpRequest({
      host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers,
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    this.upstreams.add(upstream);
    upstream.on('close', () => this.upstreams.delete(upstream));
    upstream.on('error', () => res.destroy());
    // A client that dies mid-request resets the server's connection too, as on a real network.
    req.on('close', () => { if (!req.complete) upstream.destroy(); });
    req.pipe(upstream);
  }

  async close(): Promise<void> {
    for (const upstream of this.upstreams) upstream.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
