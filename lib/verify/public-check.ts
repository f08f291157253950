/**
 * Public verification: requests objects the way visitors do (R2_PUBLIC_DOMAIN, or the embedded
 * bucket's URL) and checks status, Content-Type, Cache-Control and the body's SHA-256. A wrong answer
 * that came from a CDN cache is reported as stale (purge it), apart from objects really missing.
 * With a CORS rule, requests come from its origins in turn and the answers must let them read.
 */
import type { CorsRule } from '../config/edge-policy';
import { messageOf } from '../errors';
import type { DesiredObject } from '../plan/match';
import { RENDERED_HEADER } from '../serve/bucket-middleware';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../storage/s3-client';
import { mapPool } from '../util/pool';
import { printable } from '../util/printable';
import { describeDifference, hashStream } from './deep-check';
import { allowOriginProblem, originsToSend, preflightProblem } from './public-cors';

export type PublicProblemKind = 'public-missing' | 'public-stale' | 'public-wrong' | 'public-cors';

export interface PublicProblem {
  readonly key: string;
  readonly url: string;
  readonly kind: PublicProblemKind;
  readonly reason: string;
}

export function publicUrl(base: string, key: string): string {
  return `${base.replace(/\/+$/, '')}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** Whether an answer came from a cache in front of the bucket (Cloudflare, or any cache that sets Age). */
export function fromCache(headers: Headers): boolean {
  const status = (headers.get('cf-cache-status') ?? '').toUpperCase();
  if (['HIT', 'STALE', 'UPDATING', 'REVALIDATED'].includes(status)) return true;
  return Number(headers.get('age') ?? '0') > 0;
}

type Problem = (kind: PublicProblemKind, reason: string) => PublicProblem;

/** One object's answers: problems, and how long the whole answer took (none when it failed). */
interface Checked { readonly problems: PublicProblem[]; readonly ms?: number; readonly timedOut?: boolean }

function problemFor(key: string, url: string): Problem {
  return (kind, reason) => ({ key, url, kind, reason });
}

function failure(error: unknown, timeoutMs: number): { timedOut: boolean; reason: string } {
  const timedOut = (error as Error).name === 'TimeoutError';
  return { timedOut, reason: timedOut ? `no whole answer within ${timeoutMs / 1000} s` : `request failed: ${messageOf((error as Error).cause ?? error)}` };
}

/** Whole-request deadline: the answer and its body (a public host that never answers, or trickles, must not hang verify). */
async function checkOne(base: string, local: DesiredObject, timeoutMs: number, origin: string | undefined): Promise<Checked> {
  const url = publicUrl(base, local.key);
  const problem = problemFor(local.key, url);
  const started = performance.now();
  try {
    const response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs), headers: origin ? { origin } : {} });
    const found = await judge(response, local, url, problem);
    const ms = Math.round(performance.now() - started);
    // Only an answer that serves the image: for a missing one, its absence is the problem.
    const wrongCors = origin && response.status === 200 ? allowOriginProblem(response.headers, origin) : undefined;
    // A CDN that does not vary on Origin serves one origin's cached answer to all: purging is then part of the fix.
    const cors = wrongCors && (fromCache(response.headers) ? `${wrongCors}, from the CDN cache: purge ${url}` : wrongCors);
    return { problems: [found, cors ? problem('public-cors', cors) : undefined].filter((p): p is PublicProblem => p !== undefined), ms };
  } catch (error) {
    const { timedOut, reason } = failure(error, timeoutMs);
    return { problems: [problem('public-wrong', reason)], timedOut };
  }
}

/** What a browser asks before a read it must preflight (e.g. with a custom header), judged like a GET's answer. */
async function checkPreflight(base: string, local: DesiredObject, timeoutMs: number, origin: string): Promise<PublicProblem | undefined> {
  const url = publicUrl(base, local.key);
  const problem = problemFor(local.key, url);
  try {
    const response = await fetch(url, { method: 'OPTIONS', signal: AbortSignal.timeout(timeoutMs), headers: { origin, 'access-control-request-method': 'GET' } });
    await response.arrayBuffer();
    const reason = preflightProblem(response.status, response.headers, origin);
    return reason === undefined ? undefined : problem('public-cors', `preflight (OPTIONS for a GET) from ${origin}: ${reason}`);
  } catch (error) {
    return problem('public-wrong', `preflight (OPTIONS for a GET) from ${origin}: ${failure(error, timeoutMs).reason}`);
  }
}

async function judge(
  response: Response, local: DesiredObject, url: string, problem: Problem,
): Promise<PublicProblem | undefined> {
  const cached = fromCache(response.headers);
  const wrong: string[] = [];
  const rendered = response.headers.get(RENDERED_HEADER);
  if (response.status === 200 && rendered !== null) {
    await response.body?.cancel();
    return problem('public-missing', `not in the bucket: \`gulp serve\` rendered it on demand from public/${rendered}`);
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    const reason = `HTTP ${response.status}${cached ? ' from the CDN cache' : ''}`;
    if (cached) return problem('public-stale', `${reason}: purge ${url}`);
    return problem(response.status === 404 || response.status === 403 ? 'public-missing' : 'public-wrong', reason);
  }
  const contentType = response.headers.get('content-type') ?? '';
  const cacheControl = response.headers.get('cache-control') ?? '';
  // Header values come from outside: shown with control characters as `?` (C1 codes included), never raw.
  if (contentType !== local.contentType) wrong.push(`Content-Type "${printable(contentType)}", expected "${local.contentType}"`);
  if (cacheControl !== local.cacheControl) wrong.push(`Cache-Control "${printable(cacheControl)}", expected "${local.cacheControl}"`);
  const body = response.body ? await hashStream(response.body) : { sha256: '', bytes: 0 };
  const difference = describeDifference(local, body, 'served');
  if (difference) wrong.push(difference);
  if (wrong.length === 0) return undefined;
  return cached ? problem('public-stale', `cached answer: ${wrong.join('; ')}: purge ${url}`) : problem('public-wrong', wrong.join('; '));
}

export interface PublicCheckOptions {
  readonly concurrency: number;
  readonly onDone?: () => void;
  readonly timeoutMs?: number;
  /** The rule the public domain must answer; undefined: no Origin is sent and CORS is not checked. */
  readonly cors?: CorsRule;
}

export interface PublicCheckResult {
  /** The objects' problems in their order, then the preflights'. */
  readonly problems: PublicProblem[];
  /** Each answered GET's time in whole ms, from sending it to its body read (any status). */
  readonly timesMs: number[];
  /** GETs with no whole answer within the deadline: problems, and not among `timesMs`. */
  readonly timedOut: number;
  /** The origins requests came from (none without a CORS rule). */
  readonly origins: string[];
}

/** Object i is requested from origin i mod n (n objects or more exercise every origin); one preflight per origin, on the first. */
export async function publicCheck(base: string, objects: readonly DesiredObject[], options: PublicCheckOptions): Promise<PublicCheckResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const origins = options.cors ? originsToSend(options.cors) : [];
  const first = objects[0];
  if (!first) return { problems: [], timesMs: [], timedOut: 0, origins: [] };
  const [checked, preflights] = await Promise.all([
    mapPool(objects, options.concurrency, async (local, i) => {
      const found = await checkOne(base, local, timeoutMs, origins.length > 0 ? origins[i % origins.length] : undefined);
      options.onDone?.();
      return found;
    }),
    mapPool(origins, options.concurrency, (origin) => checkPreflight(base, first, timeoutMs, origin)),
  ]);
  return {
    problems: [...checked.flatMap((c) => c.problems), ...preflights.filter((p): p is PublicProblem => p !== undefined)],
    timesMs: checked.flatMap((c) => (c.ms === undefined ? [] : [c.ms])),
    timedOut: checked.filter((c) => c.timedOut).length,
    origins,
  };
}
