/**
 * A deadline on each answer as a whole. NodeHttpHandler's own timeouts bound the wait for an answer to
 * begin and each silence in its body, so a store that trickles a byte every 59 s would hold a run for ever
 * (found by the attacker's trial on bucket settings). Each attempt gets `baseMs` plus time for what it
 * uploads at a slow but honest rate; past it, the attempt fails as a timeout, which the retry strategy
 * retries like any other.
 */
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import type { HttpHandlerOptions } from '@smithy/types';

type HttpRequest = Parameters<NodeHttpHandler['handle']>[0];

/** The slowest upload rate still taken for progress (bytes per second): a 5 MB cover gets 80 s more. */
export const SLOWEST_UPLOAD_BYTES_PER_S = 64 * 1024;

function bodyBytes(request: HttpRequest): number {
  const body = request.body as unknown;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.length;
  return Number(request.headers['content-length'] ?? 0) || 0;
}

/** The whole-answer deadline of one attempt: its base, plus its upload at the slowest rate taken for progress. */
export function answerDeadlineMs(request: HttpRequest, baseMs: number): number {
  return baseMs + Math.ceil((bodyBytes(request) / SLOWEST_UPLOAD_BYTES_PER_S) * 1000);
}

export class AnswerDeadlineHandler extends NodeHttpHandler {
  constructor(options: NodeHttpHandlerOptions, private readonly baseMs: number) {
    super(options);
  }

  override async handle(request: HttpRequest, options: HttpHandlerOptions = {}): ReturnType<NodeHttpHandler['handle']> {
    const ms = answerDeadlineMs(request, this.baseMs);
    const timeout = AbortSignal.timeout(ms);
    const abortSignal = options.abortSignal ? AbortSignal.any([options.abortSignal as AbortSignal, timeout]) : timeout;
    try {
      return await super.handle(request, { ...options, abortSignal });
    } catch (error) {
      if (!timeout.aborted) throw error;
      // Named as the SDK names a timeout, so the retry strategy treats it as transient.
      throw Object.assign(new Error(`no whole answer within ${ms / 1000} s`), { name: 'TimeoutError' });
    }
  }
}
