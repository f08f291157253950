/**
 * What visitors get from the public domain (R2_PUBLIC_DOMAIN; the embedded bucket's URL in development):
 * one object the bucket holds, fetched as a browser would, must answer 200 with the environment's
 * Cache-Control, and carry `Access-Control-Allow-Origin` for each origin assets.config.ts allows.
 */
import type { EnvironmentName } from '../config/environment';
import type { ObjectStore } from '../storage/object-store';
import { printable } from '../util/printable';
import { isImageKey } from '../validate/object-key';
import { fromCache, publicUrl } from '../verify/public-check';
import { allowOriginProblem, ANY_ORIGIN_PROBE } from '../verify/public-cors';
import { fetchAnswer, type PublicAnswer } from './public-fetch';
import { failed, passed, skipped, type SetupItem } from './setup-item';

export interface PublicCheckOptions {
  readonly environment: EnvironmentName;
  readonly publicBase?: string;
  readonly cacheControl: string;
  readonly origins: readonly string[];
  readonly timeoutMs: number;
  /** A CORS change is planned but not applied (--dry-run): the bucket still answers with its old rules. */
  readonly corsPending: boolean;
}

const DOMAIN = 'public domain';
const DOMAIN_FIX = 'set R2_PUBLIC_DOMAIN to the custom domain connected to the bucket, e.g. https://assets.russ.fm (Cloudflare dashboard → R2 → the bucket → Settings → Custom Domains)';

/** An object the bucket holds to fetch: an album's or artist's image first, else any key of the tool's grammar. */
export async function sampleKey(store: ObjectStore): Promise<string | undefined> {
  for (const options of [{ prefix: 'album/' }, { prefix: 'artist/' }, { startAfter: 'artist/\u{10FFFF}' }]) {
    for await (const page of store.list({ ...options, pageSize: 20 })) {
      const found = page.find((o) => isImageKey(o.key));
      if (found) return found.key;
      break;
    }
  }
  return undefined;
}

/** What the domain's answer says, before the rule for an r2.dev URL: a failure (detail, fix) or what passed. */
function judgeDomain(answer: PublicAnswer, url: string, options: PublicCheckOptions): { ok: boolean; detail: string; fix?: string } {
  if ('error' in answer) return { ok: false, detail: `${url}: ${answer.error}`, fix: `check R2_PUBLIC_DOMAIN; ${DOMAIN_FIX}` };
  const cachedNote = fromCache(answer.headers) ? ' from the CDN cache' : '';
  if (answer.status !== 200) return { ok: false, detail: `${url} answered HTTP ${answer.status}${cachedNote}`, fix: `check that R2_PUBLIC_DOMAIN is the domain connected to this bucket; ${DOMAIN_FIX}` };
  const raw = answer.headers.get('cache-control');
  // Header values are the domain's text: quoted printable, compared as sent.
  const served = raw === null ? null : printable(raw);
  if (raw !== options.cacheControl) {
    const purge = cachedNote ? `; the answer came${cachedNote}: purge ${url} once the object is right` : '';
    return {
      ok: false, detail: `${url} answered 200 with Cache-Control ${served === null ? '(none)' : `"${served}"`}, expected "${options.cacheControl}"`,
      fix: `run \`gulp verify --env ${options.environment} --repair\` (re-headers objects by copy), and check that no Cloudflare rule on the domain rewrites Cache-Control${purge}`,
    };
  }
  return { ok: true, detail: `${url} answered 200 with Cache-Control "${served}"` };
}

/** Cloudflare's development URL (`pub-<id>.r2.dev`): rate limited, no cache, no WAF (r2-facts §6). */
const isDevUrl = (base: string | undefined) => base !== undefined && /(^|\.)r2\.dev$/i.test(new URL(base).hostname);
const devUrlFailure = (what: string) => failed(DOMAIN, `R2_PUBLIC_DOMAIN is an r2.dev URL: rate limited (429), never cached, not for production (${what})`, `connect a custom domain to the bucket and use it: ${DOMAIN_FIX}`);

function domainItem(answer: PublicAnswer, url: string, options: PublicCheckOptions): SetupItem {
  const judged = judgeDomain(answer, url, options);
  const devUrl = isDevUrl(options.publicBase);
  if (devUrl && options.environment === 'production') return devUrlFailure(judged.detail);
  if (!judged.ok) return failed(DOMAIN, judged.detail, judged.fix);
  return passed(DOMAIN, devUrl ? `${judged.detail} (an r2.dev URL: rate limited and never cached; fine for ${options.environment} only)` : judged.detail);
}

/** `*` is tried from an origin no rule names, as verify --public does. */
const sentOrigin = (origin: string) => (origin === '*' ? ANY_ORIGIN_PROBE : origin);

function corsItem(answer: PublicAnswer, url: string, origin: string, options: PublicCheckOptions): SetupItem {
  const name = `CORS for ${origin}`;
  const sent = sentOrigin(origin);
  let problem: string | undefined;
  if ('error' in answer) problem = `${url}: ${answer.error}`;
  else {
    // The same judgement as verify --public's: a browser at `sent` reads the image only with its own origin or `*`.
    const wrong = allowOriginProblem(answer.headers, sent);
    const raw = answer.headers.get('access-control-allow-origin');
    const allowed = raw === null ? null : printable(raw);
    if (wrong) {
      problem = `${url} with Origin: ${sent} answered HTTP ${answer.status} ${allowed === null ? 'without Access-Control-Allow-Origin' : `with Access-Control-Allow-Origin: ${allowed}`}`;
    } else if (answer.status !== 200) problem = `${url} with Origin: ${sent} answered HTTP ${answer.status}`;
    else return passed(name, `Access-Control-Allow-Origin: ${allowed}`);
  }
  if (options.corsPending) return skipped(name, `${problem} (expected until the CORS change above is applied)`, `run \`gulp setup --env ${options.environment}\` without --dry-run`);
  return failed(name, problem, `the bucket's CORS must allow ${origin} (the CORS line above: \`gulp setup --env ${options.environment}\` applies it with admin credentials); once it does, \`gulp verify --env ${options.environment} --public\` finds any answer the CDN cached without CORS headers`);
}

export async function publicChecks(store: ObjectStore, options: PublicCheckOptions): Promise<SetupItem[]> {
  const corsSkipped = (why: string) => options.origins.map((origin) => skipped(`CORS for ${origin}`, `not checked: ${why}`));
  if (!options.publicBase) {
    return [failed(DOMAIN, 'R2_PUBLIC_DOMAIN is not set: nothing checks what visitors get', DOMAIN_FIX), ...corsSkipped('needs R2_PUBLIC_DOMAIN')];
  }
  const key = await sampleKey(store).catch(() => null);
  if (key === null) return [skipped(DOMAIN, 'not checked: cannot list the bucket to choose an object (see the credentials line)'), ...corsSkipped('no object to fetch')];
  if (!key) {
    if (isDevUrl(options.publicBase) && options.environment === 'production') return [devUrlFailure('no image fetched yet'), ...corsSkipped('no image to fetch')];
    return [skipped(DOMAIN, 'not checked: the bucket holds no image yet to fetch', `run \`gulp sync --env ${options.environment}\`, then \`gulp setup --env ${options.environment}\` again`), ...corsSkipped('no image to fetch')];
  }
  const url = publicUrl(options.publicBase, key);
  const items = [domainItem(await fetchAnswer(url, {}, options.timeoutMs), url, options)];
  for (const origin of options.origins) {
    items.push(corsItem(await fetchAnswer(url, { origin: sentOrigin(origin) }, options.timeoutMs), url, origin, options));
  }
  return items;
}
