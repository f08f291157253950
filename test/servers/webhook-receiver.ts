/**
 * A local stand-in for a Slack or Discord webhook on 127.0.0.1: records every body it is sent and answers
 * 200, unless told to answer otherwise first (an error status, 429 with Retry-After, or no answer at all).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceiverAnswer = { readonly status: number; readonly retryAfter?: number } | 'hang';

export class WebhookReceiver {
  /** Bodies of the requests answered 2xx, as received. */
  readonly delivered: string[] = [];
  /** Every request, answered or not. */
  received = 0;
  /** The next answers, first first; then 200. */
  readonly answers: ReceiverAnswer[] = [];
  /** A secret path, as a real webhook URL has. */
  readonly path = `/hooks/${randomBytes(12).toString('hex')}`;
  private server?: Server;
  private readonly hanging: ServerResponse[] = [];

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}${this.path}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.received += 1;
    const answer = this.answers.shift() ?? { status: 200 };
    if (answer === 'hang') { this.hanging.push(res); return; }
    if (req.method !== 'POST' || req.url !== this.path) { res.writeHead(404).end(); return; }
    if (answer.status >= 200 && answer.status < 300) this.delivered.push(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(answer.status, answer.retryAfter === undefined ? {} : { 'retry-after': String(answer.retryAfter) }).end('ok');
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
