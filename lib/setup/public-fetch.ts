/**
 * One GET of a public URL as a browser makes it (no signature), with a deadline; the body is not read.
 * Each carries a query of its own: the CDN's cache key includes the query, so setup sees what the bucket
 * answers through the edge and never leaves an answer in the cache a visitor's request would get (one
 * fetched without Origin, or before a CORS change, would be served without CORS headers for a year).
 */
import { randomBytes } from 'node:crypto';
import { messageOf } from '../errors';

/** The URL setup fetches for `url`: a query no visitor sends (the bucket ignores it). */
export function uncachedUrl(url: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}gulp-setup=${randomBytes(6).toString('hex')}`;
}

export type PublicAnswer = { readonly status: number; readonly headers: Headers } | { readonly error: string };

export async function fetchAnswer(url: string, headers: Record<string, string>, timeoutMs: number): Promise<PublicAnswer> {
  try {
    const response = await fetch(uncachedUrl(url), { headers, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return { status: response.status, headers: response.headers };
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return { error: `no answer within ${timeoutMs / 1000} s` };
    return { error: `request failed: ${messageOf((error as Error).cause ?? error)}` };
  }
}
