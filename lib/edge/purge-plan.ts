/**
 * Which purge requests to send for a set of changed public URLs (pure). Up to a threshold, URL by URL in
 * batches; above it, by prefix: one prefix per top folder under the public base (`assets.russ.fm/album/`),
 * since thousands of URLs would take minutes of requests on a Free plan (5 a minute after a burst of 25).
 * URLs directly under the base have no folder to purge by, so they stay URL by URL, unless they would take
 * more than a few requests: then the base itself is the one prefix (a bare host is a prefix too).
 */

/** Cloudflare takes at most this many prefixes (and hosts) in one request, on every plan. */
export const PREFIXES_PER_REQUEST = 30;
/** URL-by-URL requests for the files directly under the base, at most, before the base is purged whole. */
export const LOOSE_REQUESTS_AT_MOST = 3;

/** One API request: its JSON body (`files` or `prefixes`) and the changed URLs it purges. */
export type PurgeRequest =
  | { readonly files: readonly string[]; readonly covers: readonly string[] }
  | { readonly prefixes: readonly string[]; readonly covers: readonly string[] };

export interface PurgePlan {
  /** `prefixes` when the URLs were over the threshold (some requests may still be `files`, see above). */
  readonly mode: 'files' | 'prefixes';
  readonly requests: readonly PurgeRequest[];
}

export interface PurgePlanOptions {
  /** Base of the public URLs (`https://assets.russ.fm`, or with a path); every URL must be under it. */
  readonly publicBase: string;
  readonly urlsPerRequest: number;
  readonly purgeByPrefixAbove: number;
}

function inBatches<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/** The base as a prefix purge names it: no scheme, no trailing slash (`cdn.x.com/img`). */
function prefixBaseOf(publicBase: string): string {
  let url: URL;
  try { url = new URL(publicBase); } catch { throw new TypeError(`publicBase "${publicBase}" is not a URL`); }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`publicBase "${publicBase}" is not an http(s) URL`);
  return `${url.host}${url.pathname}`.replace(/\/+$/, '');
}

/** The first folder of a URL's path under the base (`album`), or undefined for a file directly under it. */
function topFolderOf(url: string, base: string): string | undefined {
  if (!url.startsWith(`${base}/`) || url.length === base.length + 1) {
    throw new TypeError(`purge URL "${url}" is not under the public base ${base}`);
  }
  const path = url.slice(base.length + 1).split(/[?#]/)[0] ?? '';
  const slash = path.indexOf('/');
  return slash > 0 ? path.slice(0, slash) : undefined;
}

/**
 * The requests that purge `urls` (duplicates dropped). Throws TypeError for a URL not under
 * `publicBase`: callers build every URL from it.
 */
export function planPurge(urls: readonly string[], options: PurgePlanOptions): PurgePlan {
  const { urlsPerRequest, purgeByPrefixAbove } = options;
  if (!Number.isInteger(urlsPerRequest) || urlsPerRequest < 1) throw new TypeError(`urlsPerRequest ${urlsPerRequest} is not a whole number ≥ 1`);
  const base = options.publicBase.replace(/\/+$/, '');
  const prefixBase = prefixBaseOf(base);
  const unique = [...new Set(urls)];
  const folders = unique.map((url) => topFolderOf(url, base));
  const fileRequests = (list: readonly string[]): PurgeRequest[] => inBatches(list, urlsPerRequest).map((files) => ({ files, covers: files }));
  if (unique.length <= purgeByPrefixAbove) return { mode: 'files', requests: fileRequests(unique) };

  const byPrefix = new Map<string, string[]>();
  const loose: string[] = [];
  unique.forEach((url, i) => {
    const folder = folders[i];
    if (folder === undefined) { loose.push(url); return; }
    const prefix = `${prefixBase}/${folder}/`;
    const covered = byPrefix.get(prefix);
    if (covered) covered.push(url);
    else byPrefix.set(prefix, [url]);
  });
  if (loose.length > LOOSE_REQUESTS_AT_MOST * urlsPerRequest) return { mode: 'prefixes', requests: [{ prefixes: [prefixBase], covers: unique }] };
  const prefixRequests = inBatches([...byPrefix.keys()], PREFIXES_PER_REQUEST)
    .map((prefixes): PurgeRequest => ({ prefixes, covers: prefixes.flatMap((p) => byPrefix.get(p) ?? []) }));
  return { mode: 'prefixes', requests: [...prefixRequests, ...fileRequests(loose)] };
}

/** The prefixes a plan purges by (none when it goes URL by URL). */
export function prefixesOf(plan: PurgePlan): string[] {
  return plan.requests.flatMap((r) => ('prefixes' in r ? r.prefixes : []));
}

/** How a purge went or would go, as the commands say it. */
export function purgeMethod(prefixes: readonly string[]): string {
  return prefixes.length > 0 ? `by prefix (${prefixes.join(', ')})` : 'URL by URL';
}
