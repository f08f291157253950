/**
 * verify --public's CORS judgement: which origins the requests come from, and whether an answer lets a
 * browser page at that origin read the image (the colour extractor draws covers on a canvas).
 */
import type { CorsRule } from '../config/edge-policy';
import { printable } from '../util/printable';

/** The origin sent when the rule allows any (`*`): one no rule names, so only a wildcard lets it in. */
export const ANY_ORIGIN_PROBE = 'https://verify-public.invalid';

/** The origins requests come from: each the rule names, and the probe when it allows any. */
export function originsToSend(rule: CorsRule): string[] {
  const named = rule.origins.filter((o) => o !== '*');
  return rule.origins.includes('*') ? [...named, ANY_ORIGIN_PROBE] : named;
}

/** A browser accepts the request's own origin or `*` (verify sends no credentials, which would rule `*` out). */
export function allowOriginProblem(headers: Headers, origin: string): string | undefined {
  const allowed = headers.get('access-control-allow-origin');
  if (allowed === origin || allowed === '*') return undefined;
  const got = allowed === null ? 'no Access-Control-Allow-Origin' : `Access-Control-Allow-Origin "${printable(allowed)}"`;
  return `${got} for origin ${origin} (expected "${origin}" or "*")`;
}

/** What is wrong with the answer to a preflight for a GET from `origin`, if anything. */
export function preflightProblem(status: number, headers: Headers, origin: string): string | undefined {
  if (status < 200 || status > 299) return `HTTP ${status}: the preflight was refused`;
  const wrong = [allowOriginProblem(headers, origin)];
  const methods = headers.get('access-control-allow-methods');
  // `*` allows every method to a request without credentials, which is what the app's image reads are.
  if (!methods?.split(',').some((m) => ['GET', '*'].includes(m.trim().toUpperCase()))) {
    wrong.push(methods === null ? 'no Access-Control-Allow-Methods' : `Access-Control-Allow-Methods "${printable(methods)}" without GET`);
  }
  const found = wrong.filter((w): w is string => w !== undefined);
  return found.length > 0 ? found.join('; ') : undefined;
}
