/**
 * One POST of JSON to the alert webhook: its URL is a secret (a Slack or Discord webhook URL is its own
 * credential), so no message here ever holds it. A deadline on the whole exchange, one retry on 429, 5xx
 * or a network error (Retry-After honoured while it fits the deadline), redirects not followed. Never throws.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { retryAfterMsOf } from '../util/retry-after';

export const WEBHOOK_DEADLINE_MS = 10_000;
const DEFAULT_RETRY_MS = 1_000;

export interface WebhookOutcome {
  readonly ok: boolean;
  /** The last HTTP status, when there was an answer. */
  readonly status?: number;
  readonly attempts: number;
  /** Why it was not delivered, in words that never include the URL. */
  readonly problem?: string;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Why `raw` cannot be the alert webhook (never quoting it), or undefined: https, or http only to loopback, no credentials. */
export function webhookUrlProblem(raw: string): string | undefined {
  let url: URL;
  try { url = new URL(raw); } catch { return 'is not a URL'; }
  if (url.username !== '' || url.password !== '') return 'carries credentials (user:password@); the webhook URL alone is its credential';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK.test(url.hostname)) return undefined;
  return 'is not https (plain http is allowed only to localhost, 127.0.0.1 or ::1)';
}

function networkWords(error: unknown): string {
  // undici's "fetch failed" keeps the reason in `cause.code`; its message may name the host, so only the code is shown.
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' ? `could not be reached (${code})` : 'could not be reached (network error)';
}

/** POSTs `body` (JSON text) to `url`; at most two attempts, all within `deadlineMs`. */
export async function postWebhook(url: URL, body: string, options: { deadlineMs?: number } = {}): Promise<WebhookOutcome> {
  const deadlineMs = options.deadlineMs ?? WEBHOOK_DEADLINE_MS;
  const signal = AbortSignal.timeout(deadlineMs);
  const started = Date.now();
  const late = (attempts: number, status?: number): WebhookOutcome => ({ ok: false, status, attempts, problem: `did not answer within ${deadlineMs / 1000} s` });
  let last: WebhookOutcome = { ok: false, attempts: 0 };
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    let wait = DEFAULT_RETRY_MS;
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, redirect: 'manual', signal });
      await response.body?.cancel().catch(() => undefined);
      const { status } = response;
      if (status >= 200 && status < 300) return { ok: true, status, attempts: attempt };
      const redirect = status >= 300 && status < 400 ? ' (a redirect, not followed)' : '';
      last = { ok: false, status, attempts: attempt, problem: `answered ${status}${redirect}` };
      if (status !== 429 && status < 500) return last;
      wait = retryAfterMsOf(response.headers.get('retry-after')) ?? DEFAULT_RETRY_MS;
    } catch (error) {
      if (signal.aborted) return late(attempt, last.status);
      last = { ok: false, attempts: attempt, problem: networkWords(error) };
    }
    if (attempt === 2) break;
    const left = deadlineMs - (Date.now() - started);
    if (wait >= left) return { ...last, problem: `${last.problem}; a retry after ${Math.ceil(wait / 1000)} s would pass the ${deadlineMs / 1000} s deadline` };
    try { await sleep(wait, undefined, { signal }); } catch { return late(attempt, last.status); }
  }
  return { ...last, problem: `${last.problem} (after a retry)` };
}
