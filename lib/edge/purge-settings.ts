/**
 * Where and how to purge the CDN: Cloudflare's API, the zone, a token allowed Zone → Cache Purge, and the
 * zone's plan limits (from assets.config.ts). Read from the environment once, here; errors name the
 * variable, never the token's value.
 */
import { ConfigError } from '../errors';
import type { CdnPlan, CdnSettings } from '../config/edge-policy';

export const DEFAULT_CLOUDFLARE_API = 'https://api.cloudflare.com/client/v4';

export interface PurgeSettings {
  /** Base of the API, without a trailing slash: `${apiBase}/zones/${zoneId}/purge_cache`. */
  readonly apiBase: string;
  readonly zoneId: string;
  /** A bearer token: sent only in the Authorization header, never printed. */
  readonly token: string;
  readonly plan: CdnPlan;
  readonly urlsPerRequest: number;
  readonly purgeByPrefixAbove: number;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

type Env = Readonly<Record<string, string | undefined>>;

const TOKEN_HINT = 'create one in the Cloudflare dashboard (My Profile → API Tokens) with Zone → Cache Purge for the zone';

function apiBaseFrom(value: string): string {
  let url: URL;
  try { url = new URL(value); } catch { throw new ConfigError('CLOUDFLARE_API_URL is not a URL', `unset it to use ${DEFAULT_CLOUDFLARE_API}`); }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('CLOUDFLARE_API_URL must start with https:// or http://');
  // Whatever is in the URL is printed with every purge error; the token has its own variable.
  if (url.username || url.password) {
    throw new ConfigError('CLOUDFLARE_API_URL carries a user name or password in its URL', 'remove them: the token goes in CLOUDFLARE_PURGE_TOKEN');
  }
  if (/[?#]/.test(value)) throw new ConfigError('CLOUDFLARE_API_URL has a ?query or #fragment', `give the API's base only, e.g. ${DEFAULT_CLOUDFLARE_API}`);
  // The token travels in every request: in clear only to this machine (a local stand-in of the API).
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    throw new ConfigError('CLOUDFLARE_API_URL is http:// to another machine: the purge token would travel in clear', `use https://, e.g. ${DEFAULT_CLOUDFLARE_API}`);
  }
  return value.replace(/\/+$/, '');
}

function tokenFrom(value: string): string {
  if (/\s/.test(value)) throw new ConfigError('CLOUDFLARE_PURGE_TOKEN contains white space (a copy-paste slip?)', TOKEN_HINT);
  // It goes in a header: a character a header cannot carry would make fetch quote the whole value in its error.
  if (!/^[\x21-\x7e]+$/.test(value)) throw new ConfigError('CLOUDFLARE_PURGE_TOKEN contains characters an API token does not have', TOKEN_HINT);
  return value;
}

/**
 * The purge settings, or undefined when neither CLOUDFLARE_PURGE_TOKEN nor CLOUDFLARE_ZONE_ID is set (no
 * purge). Throws ConfigError when only one of them is set or a value is malformed.
 */
export function purgeSettingsFrom(env: Env, cdn: CdnSettings): PurgeSettings | undefined {
  const token = env.CLOUDFLARE_PURGE_TOKEN?.trim();
  const zoneId = env.CLOUDFLARE_ZONE_ID?.trim();
  if (!token && !zoneId) return undefined;
  if (!token) throw new ConfigError('CLOUDFLARE_ZONE_ID is set but CLOUDFLARE_PURGE_TOKEN is not', `set both to purge the CDN, or neither; ${TOKEN_HINT}`);
  if (!zoneId) {
    throw new ConfigError('CLOUDFLARE_PURGE_TOKEN is set but CLOUDFLARE_ZONE_ID is not', 'set both to purge the CDN, or neither; the zone id is on the zone\'s Overview page in the Cloudflare dashboard');
  }
  if (!/^[0-9a-f]{32}$/i.test(zoneId)) {
    throw new ConfigError('CLOUDFLARE_ZONE_ID is malformed: it should be the 32 hex characters of your zone id', 'copy it from the zone\'s Overview page in the Cloudflare dashboard (API section)');
  }
  const apiSetting = env.CLOUDFLARE_API_URL?.trim();
  return {
    apiBase: apiSetting ? apiBaseFrom(apiSetting) : DEFAULT_CLOUDFLARE_API,
    zoneId: zoneId.toLowerCase(),
    token: tokenFrom(token),
    plan: cdn.plan,
    urlsPerRequest: cdn.urlsPerRequest,
    purgeByPrefixAbove: cdn.purgeByPrefixAbove,
  };
}
