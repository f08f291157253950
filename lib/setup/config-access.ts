/**
 * Which credentials `gulp setup` reads and changes the bucket's configuration with. On R2, CORS and
 * lifecycle need a token with Admin Read & Write, which the token that syncs must not have: setup takes
 * its own, R2_ADMIN_ACCESS_KEY_ID and R2_ADMIN_SECRET_ACCESS_KEY (same endpoint). Without them a remote
 * bucket's settings are only read (with the sync token, where it may) and never changed; development
 * (the embedded bucket, or S3_ENDPOINT) needs none.
 */
import type { Environment } from '../config/environment';
import { ConfigError } from '../errors';
import type { StoreConfig } from '../storage/s3-client';

type Env = Readonly<Record<string, string | undefined>>;

export const ADMIN_KEY = 'R2_ADMIN_ACCESS_KEY_ID';
export const ADMIN_SECRET = 'R2_ADMIN_SECRET_ACCESS_KEY';

export interface ConfigAccess {
  /** The credentials (and endpoint) bucket-configuration calls are made with. */
  readonly config: StoreConfig;
  /** The admin token's, not the sync token's. */
  readonly admin: boolean;
  /** Whether setup may change the bucket's configuration. */
  readonly canApply: boolean;
}

/** The admin key pair, when set: both or neither (one alone is a slip, refused before any work). */
export function adminCredentials(settings: Env): { accessKeyId: string; secretAccessKey: string } | undefined {
  const accessKeyId = settings[ADMIN_KEY]?.trim();
  const secretAccessKey = settings[ADMIN_SECRET]?.trim();
  if (!accessKeyId && !secretAccessKey) return undefined;
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError(`${accessKeyId ? ADMIN_KEY : ADMIN_SECRET} is set but ${accessKeyId ? ADMIN_SECRET : ADMIN_KEY} is not`,
      'set both (the S3 credentials of one R2 API token with Admin Read & Write), or neither to run the checks only');
  }
  if (/\s/.test(accessKeyId)) throw new ConfigError(`${ADMIN_KEY} contains white space (a copy-paste slip?)`);
  if (/\s/.test(secretAccessKey)) throw new ConfigError(`${ADMIN_SECRET} contains white space (a copy-paste slip?)`);
  return { accessKeyId, secretAccessKey };
}

/** `store`: the bucket the command opened; `embedded`: it is the embedded local bucket. */
export function configAccess(env: Pick<Environment, 'name'>, store: StoreConfig, embedded: boolean, settings: Env): ConfigAccess {
  // The embedded bucket knows only its own fixed key; R2 admin keys in a .env are for the remote buckets.
  if (embedded) return { config: store, admin: false, canApply: true };
  const admin = adminCredentials(settings);
  if (admin) return { config: { ...store, ...admin }, admin: true, canApply: true };
  return { config: store, admin: false, canApply: env.name === 'development' };
}

/** The line that says how to let setup change the bucket's configuration. */
export function adminFix(environment: string): string {
  return `set ${ADMIN_KEY} and ${ADMIN_SECRET} (an R2 API token with Admin Read & Write on this bucket; never the sync token) and run \`gulp setup --env ${environment}\` again`;
}
