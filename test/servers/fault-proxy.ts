/**
 * A small HTTP proxy in front of a real S3 server on 127.0.0.1: counts every request by operation and
 * injects the faults a real store and network give — error statuses (with or without Retry-After),
 * connections reset before the request reaches the server or after it was served, response bodies cut
 * short, slow and stalled answers and bodies — either as scripted faults or from a random schedule.
 */
import { createServer, request as httpRequest, type ClientRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Operation = 'list' | 'head' | 'get' | 'put' | 'copy' | 'delete' | 'other';

/**
 * What a faulty request gets: an HTTP status; `drop` (the connection is reset before the server sees
 * the request); `reset-after` (the server serves it, the answer is lost); `truncate` (the answer's
 * headers and half its body, then a reset); `stall` (no answer at all, until the client gives up);
 * `stall-body` (headers and half the body, then silence on an open connection); `slow-body` (the whole
 * body, in eight pieces `SLOW_BODY_PAUSE_MS` apart: slow but never idle for long); `trickle-body` (one
 * byte every `TRICKLE_PAUSE_MS`: never idle, never whole).
 */
export type FaultAction = number | 'drop' | 'reset-after' | 'truncate' | 'stall' | 'stall-body' | 'slow-body' | 'trickle-body';

export const SLOW_BODY_PAUSE_MS = 300;
export const TRICKLE_PAUSE_MS = 100;
type BodyAction = 'reset-after' | 'truncate' | 'stall-body' | 'slow-body' | 'trickle-body';

export interface FaultEffect {
  readonly action: FaultAction;
  /** Seconds, sent as Retry-After with a status answer. */
  readonly retryAfter?: number;
}

export interface Fault extends FaultEffect {
  /** Which requests: an operation, optionally only keys matching `key`. */
  readonly op: Operation;
  readonly key?: RegExp;
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

const ERROR_CODES: Record<number, string> = { 404: 'NoSuchKey', 412: 'PreconditionFailed', 429: 'SlowDown', 503: 'SlowDown', 500: 'InternalError', 502: 'BadGateway', 504: 'GatewayTimeout' };

export class FaultProxy {
  readonly counts: Record<Operation, number> = { list: 0, head: 0, get: 0, put: 0, copy: 0, delete: 0, other: 0 };
  readonly faults: Fault[] = [];
  /** Milliseconds to hold every request before forwarding it (slow store). */
  delayMs = 0;
  /** A random schedule: asked for every request the scripted faults leave alone. */
  chaos?: (op: Operation, key: string) => (FaultEffect & { delayMs?: number }) | undefined;
  /** Sees every request before it is handled (e.g. to SIGKILL a client at a chosen request). */
  onRequest?: (op: Operation, key: string, req: IncomingMessage) => void;
  /** Faults injected so far, by action. */
  readonly injected: Record<string, number> = {};
  private server?: Server;
  /** Requests forwarded and not finished: a client killed mid-request can leave one open on the server. */
  private readonly upstreams = new Set<ClientRequest>();
  private readonly stalled = new Set<ServerResponse>();
  endpoint = '';

  constructor(private readonly target: string) {}

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  reset(): void {
    for (const op of Object.keys(this.counts) as Operation[]) this.counts[op] = 0;
    this.faults.length = 0;
    this.chaos = undefined;
    this.onRequest = undefined;
    this.delayMs = 0;
  }

  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      const op = operationOf(req);
      this.counts[op] += 1;
      const key = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).split('/').slice(2).join('/');
      this.onRequest?.(op, key, req);
      if (req.socket.destroyed) return;
      const effect = this.scripted(op, key) ?? this.chaos?.(op, key);
      if (effect) this.injected[String(effect.action)] = (this.injected[String(effect.action)] ?? 0) + 1;
      const delay = this.delayMs + ((effect as { delayMs?: number } | undefined)?.delayMs ?? 0);
      setTimeout(() => this.handle(req, res, target, effect), delay);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.endpoint;
  }

  private scripted(op: Operation, key: string): FaultEffect | undefined {
    const fault = this.faults.find((f) => f.times > 0 && f.op === op && (!f.key || f.key.test(key)));
    if (!fault) return undefined;
    if ((fault.skip ?? 0) > 0) {
      fault.skip = (fault.skip ?? 0) - 1;
      return undefined;
    }
    fault.times -= 1;
    return fault;
  }

  private handle(req: IncomingMessage, res: ServerResponse, target: URL, effect: FaultEffect | undefined): void {
    const action = effect?.action;
    if (action === 'drop') { req.socket.destroy(); return; }
    if (action === 'stall') { req.resume(); this.stalled.add(res); res.on('close', () => this.stalled.delete(res)); return; }
    if (typeof action === 'number' && action > 0) {
      req.resume();
      const headers: Record<string, string> = { 'content-type': 'application/xml' };
      if (effect?.retryAfter !== undefined) headers['retry-after'] = String(effect.retryAfter);
      res.writeHead(action, headers);
      res.end(`<?xml version="1.0"?><Error><Code>${ERROR_CODES[action] ?? 'InternalError'}</Code><Message>injected</Message></Error>`);
      return;
    }
    this.forward(req, res, target, typeof action === 'string' ? action : undefined);
  }

  private forward(req: IncomingMessage, res: ServerResponse, target: URL, action?: BodyAction): void {
    const upstream = httpRequest({
      host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers,
    }, (answer) => {
      if (action === 'reset-after') { answer.resume(); answer.on('end', () => req.socket.destroy()); return; }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (!action) { answer.pipe(res); return; }
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => this.misdeliver(res, Buffer.concat(chunks), action));
    });
    this.upstreams.add(upstream);
    upstream.on('close', () => this.upstreams.delete(upstream));
    upstream.on('error', () => res.destroy());
    // A client that dies mid-request resets the server's connection too, as on a real network. So does one
    // that died before the proxy passed its request on (the delay above): its request never ends upstream,
    // and the server would hold it open (settled() waited 30 s on such HEADs after a SIGKILL).
    req.on('close', () => { if (!req.complete || !upstream.writableEnded) upstream.destroy(); });
    if (req.destroyed) upstream.destroy();
    req.pipe(upstream);
  }

  private misdeliver(res: ServerResponse, body: Buffer, action: Exclude<BodyAction, 'reset-after'>): void {
    res.flushHeaders();
    const half = body.subarray(0, Math.floor(body.length / 2));
    if (action === 'truncate') { res.write(half, () => setTimeout(() => res.destroy(), 5)); return; }
    if (action === 'stall-body') { this.stalled.add(res); res.on('close', () => this.stalled.delete(res)); res.write(half); return; }
    if (action === 'trickle-body') { this.trickle(res, body); return; }
    const piece = Math.ceil(body.length / 8);
    let sent = 0;
    const timer = setInterval(() => {
      if (res.destroyed) { clearInterval(timer); return; }
      res.write(body.subarray(sent, sent + piece));
      sent += piece;
      if (sent >= body.length) { clearInterval(timer); res.end(); }
    }, SLOW_BODY_PAUSE_MS);
  }

  /** One byte every TRICKLE_PAUSE_MS: never silent for long, yet no whole answer for minutes (a 1 KB listing: 100 s). */
  private trickle(res: ServerResponse, body: Buffer): void {
    let sent = 0;
    const timer = setInterval(() => {
      if (res.destroyed) { clearInterval(timer); return; }
      res.write(body.subarray(sent, sent + 1));
      sent += 1;
      if (sent >= body.length) { clearInterval(timer); res.end(); }
    }, TRICKLE_PAUSE_MS);
  }

  /** Resolves once no forwarded request is still open on the server (what a killed client sent has landed). */
  async settled(): Promise<void> {
    while (this.upstreams.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  async close(): Promise<void> {
    for (const upstream of this.upstreams) upstream.destroy();
    for (const res of this.stalled) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
