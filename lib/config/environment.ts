/**
 * Environments: development (embedded local bucket unless S3_ENDPOINT is set), staging and production
 * (real settings required, never a silent fallback), and backup: a second store, a real one too, whose
 * settings are the same names with a `BACKUP_` prefix (backup-settings.ts maps them before this reads them). Values come from the environment, `.env.<env>` or
 * `.env` (settings-files.ts); errors name the variable, never a secret's value.
 */
import { ConfigError } from '../errors';
import { r2Endpoint, type StoreConfig } from '../storage/s3-client';
import { purgeSettingsFrom, type PurgeSettings } from '../edge/purge-settings';
import { DEFAULT_CDN, DEFAULT_EDGE, type CdnSettings, type CorsRule, type EdgePolicy } from './edge-policy';

export const ENVIRONMENTS = ['development', 'staging', 'production', 'backup'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** Each environment's default Cache-Control (assets.config.ts may change it). */
export const CACHE_CONTROL: Record<EnvironmentName, string> = {
  production: DEFAULT_EDGE.production.cacheControl,
  staging: DEFAULT_EDGE.staging.cacheControl,
  development: DEFAULT_EDGE.development.cacheControl,
  // The backup serves what production serves when it stands in for it (gulp mirror copies the recorded headers).
  backup: DEFAULT_EDGE.production.cacheControl,
};

export const DEFAULT_BUCKET = 'russ-fm-assets';

export interface Environment {
  readonly name: EnvironmentName;
  /** undefined: use the embedded local bucket. */
  readonly store?: StoreConfig;
  readonly bucket: string;
  /** R2_ARCHIVE_BUCKET: a private bucket of the same account for the sync state, releases and archive. */
  readonly archiveBucket?: string;
  /** Public base URL of objects (`${publicBase}/${key}`), when known. */
  readonly publicBase?: string;
  readonly cacheControl: string;
  /** The CORS rule its bucket should carry (gulp setup) and its public domain should answer (verify --public). */
  readonly cors: CorsRule;
  /** CLOUDFLARE_PURGE_TOKEN + CLOUDFLARE_ZONE_ID: purge the CDN after a change (never for the embedded bucket: no CDN fronts it). */
  readonly purge?: PurgeSettings;
}

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string, why: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`${name} is not set (${why})`, 'set it in the environment, in .env.<env> or in .env (see .env.example)');
  return value;
}

function checkUrl(name: string, value: string): string {
  let url: URL;
  try { url = new URL(value); } catch { throw new ConfigError(`${name} is not a URL`, 'use e.g. https://assets.russ.fm or http://127.0.0.1:7480'); }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`${name} must start with https:// or http://`);
  // A URL's user and password would be printed wherever the endpoint is (messages, reports): credentials have their own settings.
  if (url.username || url.password) {
    throw new ConfigError(`${name} carries a user name or password in its URL`, 'remove them from the URL: the credentials go in R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY');
  }
  // The raw string, not url.search/hash: an empty `?` or `#` parses to '' yet would end every URL built on it.
  if (/[?#]/.test(value)) throw new ConfigError(`${name} has a ?query or #fragment`, 'give the base URL only, e.g. https://assets.russ.fm or https://assets.russ.fm/img');
  return value.replace(/\/+$/, '');
}

function bucketName(name: string, value: string): string {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value)) {
    throw new ConfigError(`${name} "${value}" is not a valid bucket name (3–63 lower-case letters, digits, dots, dashes)`);
  }
  return value;
}

/** R2_ARCHIVE_BUCKET, checked: a valid name, and not the images' own bucket. */
function archiveBucketOf(env: Env, bucket: string): string | undefined {
  const value = env.R2_ARCHIVE_BUCKET?.trim();
  if (!value) return undefined;
  if (value === bucket) throw new ConfigError(`R2_ARCHIVE_BUCKET is the same bucket as R2_BUCKET_NAME ("${bucket}")`, 'name a separate private bucket, or unset it to keep the records in the images\' bucket');
  return bucketName('R2_ARCHIVE_BUCKET', value);
}

function remoteStore(env: Env, why: string): StoreConfig {
  const endpointSetting = env.S3_ENDPOINT?.trim();
  let endpoint: string;
  if (endpointSetting) endpoint = checkUrl('S3_ENDPOINT', endpointSetting);
  else {
    const account = required(env, 'R2_ACCOUNT_ID', `${why}; or set S3_ENDPOINT for another S3 store`);
    if (!/^[0-9a-f]{32}$/i.test(account)) {
      throw new ConfigError('R2_ACCOUNT_ID is malformed: it should be the 32 hex characters of your Cloudflare account id');
    }
    endpoint = r2Endpoint(account);
  }
  const bucket = bucketName('R2_BUCKET_NAME', required(env, 'R2_BUCKET_NAME', why));
  const accessKeyId = required(env, 'R2_ACCESS_KEY_ID', why);
  const secretAccessKey = required(env, 'R2_SECRET_ACCESS_KEY', why);
  if (/\s/.test(accessKeyId)) throw new ConfigError('R2_ACCESS_KEY_ID contains white space (a copy-paste slip?)');
  if (/\s/.test(secretAccessKey)) throw new ConfigError('R2_SECRET_ACCESS_KEY contains white space (a copy-paste slip?)');
  return {
    provider: endpointSetting ? 's3' : 'r2', endpoint, bucket, region: env.S3_REGION?.trim() || 'us-east-1',
    accessKeyId, secretAccessKey,
  };
}

/** Resolves and validates an environment; throws ConfigError on the first missing or malformed setting. */
export function resolveEnvironment(
  name: EnvironmentName, env: Env = process.env, policy: EdgePolicy = DEFAULT_EDGE[name === 'backup' ? 'production' : name], cdn: CdnSettings = DEFAULT_CDN,
): Environment {
  const { cacheControl, cors } = policy;
  const publicDomain = env.R2_PUBLIC_DOMAIN?.trim() ? checkUrl('R2_PUBLIC_DOMAIN', env.R2_PUBLIC_DOMAIN.trim()) : undefined;
  if (name === 'development' && !env.S3_ENDPOINT?.trim()) {
    // Checked as for a remote bucket: the embedded one names a folder after it, and the same setting must work on R2.
    const bucket = bucketName('R2_BUCKET_NAME', env.R2_BUCKET_NAME?.trim() || DEFAULT_BUCKET);
    return { name, bucket, archiveBucket: archiveBucketOf(env, bucket), cacheControl, cors };
  }
  const store = remoteStore(env, `needed for --env ${name}`);
  const purge = purgeSettingsFrom(env, cdn);
  if (purge && !publicDomain) {
    throw new ConfigError('CLOUDFLARE_PURGE_TOKEN is set but R2_PUBLIC_DOMAIN is not: the CDN is purged by public URL', 'set R2_PUBLIC_DOMAIN to the bucket\'s custom domain (e.g. https://assets.russ.fm)');
  }
  return {
    purge,
    name, store, bucket: store.bucket, archiveBucket: archiveBucketOf(env, store.bucket), publicBase: publicDomain, cacheControl, cors,
  };
}

/** Every secret value in the environment, so reports can be scrubbed of them whatever happens. */
export function secretValues(env: Env = process.env): string[] {
  return ['R2_SECRET_ACCESS_KEY', 'R2_ACCESS_KEY_ID', 'R2_ADMIN_SECRET_ACCESS_KEY', 'R2_ADMIN_ACCESS_KEY_ID', 'CLOUDFLARE_PURGE_TOKEN',
    'BACKUP_R2_SECRET_ACCESS_KEY', 'BACKUP_R2_ACCESS_KEY_ID', 'BACKUP_R2_ADMIN_SECRET_ACCESS_KEY', 'BACKUP_R2_ADMIN_ACCESS_KEY_ID', 'BACKUP_CLOUDFLARE_PURGE_TOKEN'].map((n) => env[n]?.trim() ?? '').filter((v) => v.length >= 4);
}
