/**
 * How the bucket is served: the Cache-Control each environment sends, the CORS rule its bucket carries,
 * and how the CDN is purged. Defaults are russ.fm's (seed: CORS for https://russ.fm and Vite's dev server);
 * `assets.config.ts` may change each (validated there, once, by the schemas below).
 */
import * as v from 'valibot';
import { printable } from '../util/printable';

export const CORS_METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'] as const;
export type CorsMethod = (typeof CORS_METHODS)[number];

/** One CORS rule, as PutBucketCors takes it and as the public domain must answer it. */
export interface CorsRule {
  readonly origins: readonly string[];
  readonly methods: readonly CorsMethod[];
  readonly headers: readonly string[];
  readonly maxAgeSeconds: number;
}

export interface EdgePolicy {
  readonly cacheControl: string;
  readonly cors: CorsRule;
}

export const CDN_PLANS = ['free', 'pro', 'business', 'enterprise'] as const;
export type CdnPlan = (typeof CDN_PLANS)[number];

export interface CdnSettings {
  /** The zone's plan: its purge request rate (Free 5 a minute, burst 25; …). */
  readonly plan: CdnPlan;
  /** URLs per purge request: 100 (Enterprise 500; some older plans 30). */
  readonly urlsPerRequest: number;
  /** Above this many changed URLs, purge by prefix (one request) instead of URL by URL. */
  readonly purgeByPrefixAbove: number;
  /** verify --public warns when the p95 latency is over this many milliseconds (seed: CDN response > 2 s). */
  readonly slowP95Ms: number;
}

export const SEED_CORS: CorsRule = {
  origins: ['https://russ.fm', 'http://localhost:5173'], methods: ['GET', 'HEAD'], headers: ['*'], maxAgeSeconds: 3600,
};

/**
 * Browsers cannot be purged and the app builds bare URLs, so production keeps images a year at the edge
 * (`s-maxage`, purged on change) and a day in browsers; no `immutable`, since a cover is replaced under its key.
 */
export const DEFAULT_EDGE: Readonly<Record<'development' | 'staging' | 'production', EdgePolicy>> = {
  production: { cacheControl: 'public, max-age=86400, s-maxage=31536000', cors: SEED_CORS },
  staging: { cacheControl: 'public, max-age=86400', cors: SEED_CORS },
  development: { cacheControl: 'public, max-age=300', cors: SEED_CORS },
};

export const DEFAULT_CDN: CdnSettings = { plan: 'free', urlsPerRequest: 100, purgeByPrefixAbove: 1000, slowP95Ms: 2000 };

/** A browser origin: scheme, host, optional port; no path, no trailing slash (CORS compares it as a string). */
export function originProblem(origin: string): string | undefined {
  if (origin === '*') return undefined;
  let url: URL;
  try { url = new URL(origin); } catch { return 'is not a URL'; }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'is not an http(s) origin';
  if (url.origin !== origin) return `is not an origin: write it as ${url.origin} (no path, no trailing slash)`;
  return undefined;
}

const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const directive = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(=([!#$%&'*+.^_`|~0-9A-Za-z-]+|"[\x20-\x7e]*"))?$/;

/** A Cache-Control value: comma-separated directives (sent as an HTTP header, compared as a string). */
export function cacheControlProblem(value: string): string | undefined {
  if (value.trim() !== value || value === '') return 'is empty or has spaces around it';
  const bad = value.split(',').map((d) => d.trim()).find((d) => !directive.test(d));
  return bad === undefined ? undefined : `has "${printable(bad)}", which is not a Cache-Control directive`;
}

// The value is quoted with control characters shown as `?`: a CR/LF in it must not reach the terminal as a line break.
const cacheControl = v.pipe(v.string(), v.check((c) => cacheControlProblem(c) === undefined, (issue) => `"${printable(String(issue.input))}" ${cacheControlProblem(String(issue.input)) ?? ''}`));
const origin = v.pipe(v.string(), v.check((o) => originProblem(o) === undefined, (issue) => `"${printable(String(issue.input))}" ${originProblem(String(issue.input)) ?? ''}`));

export const corsSchema = v.strictObject({
  origins: v.pipe(v.array(origin), v.minLength(1, 'is empty (name at least one origin, or * for any)')),
  methods: v.optional(v.pipe(v.array(v.picklist(CORS_METHODS, `is not one of ${CORS_METHODS.join(', ')}`)), v.minLength(1, 'is empty'))),
  headers: v.optional(v.array(v.pipe(v.string(), v.check((h) => h === '*' || token.test(h), 'is not a header name or *')))),
  maxAgeSeconds: v.optional(v.pipe(v.number(), v.integer('is not a whole number'), v.minValue(0, 'is negative'), v.maxValue(86_400, 'is over a day (86400)'))),
});

export const environmentEdgeSchema = v.strictObject({ cacheControl: v.optional(cacheControl), cors: v.optional(corsSchema) });

export const cdnSchema = v.strictObject({
  plan: v.optional(v.picklist(CDN_PLANS, `is not one of ${CDN_PLANS.join(', ')}`)),
  urlsPerRequest: v.optional(v.pipe(v.number(), v.integer('is not a whole number'), v.minValue(1, 'is less than 1'), v.maxValue(500, 'is over 500 (Enterprise\'s limit)'))),
  purgeByPrefixAbove: v.optional(v.pipe(v.number(), v.integer('is not a whole number'), v.minValue(0, 'is negative'))),
  slowP95Ms: v.optional(v.pipe(v.number(), v.integer('is not a whole number'), v.minValue(1, 'is less than 1'))),
});

type CorsInput = v.InferOutput<typeof corsSchema>;

export function corsRule(input: CorsInput | undefined, fallback: CorsRule): CorsRule {
  if (!input) return fallback;
  return { origins: input.origins, methods: input.methods ?? fallback.methods, headers: input.headers ?? fallback.headers, maxAgeSeconds: input.maxAgeSeconds ?? fallback.maxAgeSeconds };
}
