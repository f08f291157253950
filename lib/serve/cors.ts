/**
 * CORS for the app's dev server: the colour extractor loads covers with crossOrigin='anonymous' and reads
 * their pixels from a canvas, which the browser allows only when the answer names the page's origin.
 * Only reads are allowed cross-origin (GET, HEAD), and only from the listed origins (`*`: any).
 */
import { originProblem } from '../config/edge-policy';
import { UsageError } from '../errors';

/** Vite's dev server, under both names a browser may use for it. */
export const DEFAULT_ORIGINS = ['http://localhost:5173', 'http://127.0.0.1:5173'] as const;
const METHODS = ['GET', 'HEAD'];
const PREFLIGHT_MAX_AGE_S = '600';

/** `--cors`: a comma-separated list of origins (`http://host:port`, no path) or `*`. */
export function parseOrigins(value: string): string[] {
  const origins = value.split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of origins) {
    // The one origin rule (assets.config.ts's `cors` is checked by it too).
    if (originProblem(origin) !== undefined) {
      throw new UsageError(`--cors "${origin}" is not an origin`, 'give origins as scheme://host[:port] with no path or trailing slash, comma-separated (e.g. http://localhost:5173), or * for any');
    }
  }
  if (origins.length === 0) throw new UsageError('--cors is empty', 'name at least one origin, e.g. http://localhost:5173');
  return origins;
}

/** The headers for a read from `origin`, or undefined when that origin is not allowed (no CORS headers at all). */
export function corsHeaders(origin: string | undefined, allowed: readonly string[]): Record<string, string> | undefined {
  if (!origin) return undefined;
  if (allowed.includes('*')) return { 'Access-Control-Allow-Origin': '*' };
  return allowed.includes(origin) ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : undefined;
}

/** The answer to a preflight (OPTIONS with Access-Control-Request-Method): 204 and its headers, or 403 without any. */
export function preflight(
  origin: string | undefined, method: string, requestHeaders: string | undefined, allowed: readonly string[],
): { status: number; headers: Record<string, string> } {
  const headers = corsHeaders(origin, allowed);
  if (!headers || !METHODS.includes(method.toUpperCase())) return { status: 403, headers: {} };
  return {
    status: 204,
    headers: {
      ...headers,
      'Access-Control-Allow-Methods': METHODS.join(', '),
      ...(requestHeaders ? { 'Access-Control-Allow-Headers': requestHeaders } : {}),
      'Access-Control-Max-Age': PREFLIGHT_MAX_AGE_S,
    },
  };
}
