/**
 * Sends a purge plan to Cloudflare's API, one request at a time, at the zone plan's rate. Failures are
 * collected by URL, never thrown: every URL of the plan ends up purged or failed (with why). A rejected
 * token stops the run, since every later request would be rejected too. The token is sent only in the
 * Authorization header and scrubbed from every reason.
 */
import { messageOf } from '../errors';
import type { StopSignal } from '../execute/apply-plan';
import { attemptPurge, type Attempt } from './purge-attempt';
import { quotable } from './purge-answer';
import type { PurgePlan, PurgeRequest } from './purge-plan';
import { PURGE_RATES, realSleep, TokenBucket, type Clock, type PurgeRate, type Sleep } from './purge-rate';
import type { PurgeSettings } from './purge-settings';

/** Read between requests: once aborted, nothing more is sent (Ctrl-C's Interrupt is one); its `signal`, if any, also ends a request in flight. */
export type PurgeStop = StopSignal & { readonly signal?: AbortSignal };

export interface PurgeOptions {
  /** Overrides the plan's rate (tests). */
  readonly rate?: PurgeRate;
  /** Milliseconds a request may take, answer included, before it is abandoned and retried (default 30 s). */
  readonly deadlineMs?: number;
  /** Tries per request, first included (default 5); a 429 is not one of them, up to `throttlesAllowed`. */
  readonly maxAttempts?: number;
  /** 429s a request may get without using up an attempt (default 10); later ones count as failed attempts. */
  readonly throttlesAllowed?: number;
  /** Base and cap of the jittered exponential backoff, in ms (defaults 500 and 20 s). */
  readonly backoffBaseMs?: number;
  readonly maxBackoffMs?: number;
  /** The longest a Retry-After is honoured, in ms (default 120 s): an API asking for an hour must not park the run. */
  readonly maxRetryAfterMs?: number;
  /** The whole purge's time, waits included (default 10 min): past it, the URLs not yet purged fail. */
  readonly budgetMs?: number;
  /** Read between requests: once aborted, nothing more is sent and the remaining URLs fail as not sent. */
  readonly signal?: PurgeStop;
  /** Told before each wait for a retry, so a long wait (a Free plan's 429, a hung API) is never silent. */
  readonly onRetry?: (retry: { readonly request: number; readonly of: number; readonly reason: string; readonly waitMs: number }) => void;
  readonly sleep?: Sleep;
  readonly now?: Clock;
}

export interface PurgeOutcome {
  readonly mode: PurgePlan['mode'];
  /** HTTP requests sent, retries included. */
  readonly requests: number;
  /** Every URL of the plan is in exactly one of `purged` and `failed`. */
  readonly purged: string[];
  /** Prefixes purged (each covers the URLs of `purged` under it). */
  readonly prefixes: string[];
  readonly failed: { url: string; reason: string }[];
  readonly seconds: number;
}

export const DEFAULT_PURGE_DEADLINE_MS = 30_000;
export const DEFAULT_PURGE_BUDGET_MS = 10 * 60_000;
export const MAX_RETRY_AFTER_MS = 120_000;
/** Longest reason kept per URL. */
const MAX_REASON = 1000;
export const TOKEN_HINT = 'check CLOUDFLARE_PURGE_TOKEN has Zone → Cache Purge';

type Settled = { readonly kind: 'purged' } | { readonly kind: 'failed' | 'rejected'; readonly reason: string };

function bodyOf(request: PurgeRequest): string {
  return JSON.stringify('files' in request ? { files: request.files } : { prefixes: request.prefixes });
}

/**
 * Purges every request of `plan`, retrying what is worth retrying, and reports what was purged and what
 * failed. Never throws for anything the API or the network does.
 */
export async function purgeCdn(plan: PurgePlan, settings: PurgeSettings, options: PurgeOptions = {}): Promise<PurgeOutcome> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const started = now();
  const bucket = new TokenBucket(options.rate ?? PURGE_RATES[settings.plan], now, sleep);
  // Reasons are built from scrubbed parts already; this is the last net, and the cap keeps one reason
  // copied into thousands of URLs' entries from exhausting memory.
  const scrub = (text: string) => quotable(text, settings.token, MAX_REASON);
  const outcome = { mode: plan.mode, requests: 0, purged: [] as string[], prefixes: [] as string[], failed: [] as { url: string; reason: string }[] };
  const fail = (urls: readonly string[], reason: string) => {
    for (const url of urls) outcome.failed.push({ url, reason: scrub(reason) });
  };
  const budgetMs = options.budgetMs ?? DEFAULT_PURGE_BUDGET_MS;
  const giveUpAt = started + budgetMs;
  let lastReason: string | undefined;
  const outOfTimeReason = () => `not purged: gave up after ${budgetMs >= 60_000 ? `${+(budgetMs / 60_000).toFixed(1)} min` : `${budgetMs / 1000} s`} of retries; ${
    lastReason === undefined ? 'the rate limit left no time for it' : `last answer: ${lastReason}`}`;
  const stopReason = () => `not purged: ${options.signal?.reason === undefined ? 'stopped' : messageOf(options.signal.reason)}`;

  // The bucket and the counter are shared; one request at a time, so there is nothing to race on.
  const send = async (request: PurgeRequest, index: number): Promise<Settled | 'stopped' | 'out-of-time'> => {
    const retrying = (reason: string, waitMs: number) => options.onRetry?.({ request: index + 1, of: plan.requests.length, reason: scrub(reason), waitMs });
    const maxAttempts = options.maxAttempts ?? 5;
    const throttlesAllowed = options.throttlesAllowed ?? 10;
    const endpoint = `${settings.apiBase}/zones/${settings.zoneId}/purge_cache`;
    const body = bodyOf(request);
    const deadlineMs = options.deadlineMs ?? DEFAULT_PURGE_DEADLINE_MS;
    let attempts = 0;
    let throttles = 0;
    for (;;) {
      if (options.signal?.aborted) return 'stopped';
      await bucket.take();
      if (now() >= giveUpAt) return 'out-of-time';
      outcome.requests += 1;
      const attempt: Attempt = await attemptPurge({ endpoint, token: settings.token, body, deadlineMs: Math.min(deadlineMs, giveUpAt - now()), abort: options.signal?.signal });
      // Stopped while the request was in flight: what it did is unknown, so its URLs count as not purged.
      if (options.signal?.aborted && attempt.kind !== 'purged') return 'stopped';
      if (attempt.kind !== 'purged') lastReason = attempt.reason;
      if (attempt.kind === 'purged' || attempt.kind === 'failed' || attempt.kind === 'rejected') return attempt;
      if (attempt.kind === 'throttled') {
        throttles += 1;
        if (throttles > throttlesAllowed) attempts += 1;
        if (attempts >= maxAttempts) return { kind: 'failed', reason: `${attempt.reason} (gave up after ${throttles} answers of 429)` };
        bucket.drain();
        const wait = Math.min(attempt.retryAfterMs ?? bucket.interval, options.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS);
        if (now() + wait >= giveUpAt) return 'out-of-time';
        retrying(attempt.reason, wait);
        await sleep(wait);
        continue;
      }
      attempts += 1;
      if (attempts >= maxAttempts) return { kind: 'failed', reason: `${attempt.reason} (gave up after ${attempts} tries)` };
      const ceiling = Math.min(options.maxBackoffMs ?? 20_000, (options.backoffBaseMs ?? 500) * 2 ** attempts);
      const wait = Math.random() * ceiling;
      if (now() + wait >= giveUpAt) return 'out-of-time';
      retrying(`${attempt.reason} (try ${attempts} of ${maxAttempts})`, wait);
      await sleep(wait);
    }
  };

  for (const [index, request] of plan.requests.entries()) {
    const settled = await send(request, index);
    if (settled === 'stopped' || settled === 'out-of-time') {
      const reason = settled === 'stopped' ? stopReason() : outOfTimeReason();
      for (const rest of plan.requests.slice(index)) fail(rest.covers, reason);
      break;
    }
    if (settled.kind === 'rejected') {
      const reason = `token rejected (${settled.reason.replace(/^Cloudflare answered /, '')}): ${TOKEN_HINT}`;
      for (const rest of plan.requests.slice(index)) fail(rest.covers, reason);
      break;
    }
    if (settled.kind === 'failed') { fail(request.covers, settled.reason); continue; }
    // A prefix request can cover tens of thousands of URLs: too many to spread into push()'s arguments.
    for (const url of request.covers) outcome.purged.push(url);
    if ('prefixes' in request) outcome.prefixes.push(...request.prefixes);
  }
  return { ...outcome, seconds: (now() - started) / 1000 };
}
