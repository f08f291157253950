/**
 * Public verification: requests objects the way visitors do (R2_PUBLIC_DOMAIN, or the embedded
 * bucket's URL) and checks status, Content-Type, Cache-Control and the body's SHA-256. A wrong answer
 * that came from a CDN cache is reported as stale (purge it), apart from objects really missing.
 */
import { messageOf } from '../errors';
import type { DesiredObject } from '../plan/match';
import { RENDERED_HEADER } from '../serve/bucket-middleware';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../storage/s3-client';
import { mapPool } from '../util/pool';
import { describeDifference, hashStream } from './deep-check';

export type PublicProblemKind = 'public-missing' | 'public-stale' | 'public-wrong';

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

/** Whole-request deadline: the answer and its body (a public host that never answers, or trickles, must not hang verify). */
async function checkOne(base: string, local: DesiredObject, timeoutMs: number): Promise<PublicProblem | undefined> {
  const url = publicUrl(base, local.key);
  const problem = (kind: PublicProblemKind, reason: string) => ({ key: local.key, url, kind, reason });
  try {
    return await judge(await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) }), local, url, problem);
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    return problem('public-wrong', timedOut ? `no whole answer within ${timeoutMs / 1000} s` : `request failed: ${messageOf((error as Error).cause ?? error)}`);
  }
}

async function judge(
  response: Response, local: DesiredObject, url: string, problem: (kind: PublicProblemKind, reason: string) => PublicProblem,
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
  if (contentType !== local.contentType) wrong.push(`Content-Type "${contentType}", expected "${local.contentType}"`);
  if (cacheControl !== local.cacheControl) wrong.push(`Cache-Control "${cacheControl}", expected "${local.cacheControl}"`);
  const body = response.body ? await hashStream(response.body) : { sha256: '', bytes: 0 };
  const difference = describeDifference(local, body, 'served');
  if (difference) wrong.push(difference);
  if (wrong.length === 0) return undefined;
  return cached ? problem('public-stale', `cached answer: ${wrong.join('; ')}: purge ${url}`) : problem('public-wrong', wrong.join('; '));
}

export async function publicCheck(
  base: string, objects: readonly DesiredObject[], options: { concurrency: number; onDone?: () => void; timeoutMs?: number },
): Promise<PublicProblem[]> {
  const results = await mapPool(objects, options.concurrency, async (local) => {
    const found = await checkOne(base, local, options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
    options.onDone?.();
    return found;
  });
  return results.filter((r): r is PublicProblem => r !== undefined);
}
