/** One GET of a public URL as a browser makes it (no signature), with a deadline; the body is not read. */
import { messageOf } from '../errors';

export type PublicAnswer = { readonly status: number; readonly headers: Headers } | { readonly error: string };

export async function fetchAnswer(url: string, headers: Record<string, string>, timeoutMs: number): Promise<PublicAnswer> {
  try {
    const response = await fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return { status: response.status, headers: response.headers };
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return { error: `no answer within ${timeoutMs / 1000} s` };
    return { error: `request failed: ${messageOf((error as Error).cause ?? error)}` };
  }
}
