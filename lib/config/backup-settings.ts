/**
 * The backup environment's settings: the primary's variable names with a `BACKUP_` prefix
 * (`BACKUP_S3_ENDPOINT`, `BACKUP_R2_BUCKET_NAME`, …), from the environment, `.env.backup` or `.env`. They
 * are mapped to the plain names and checked by resolveEnvironment, the one validator; a plain name never
 * stands in for a missing `BACKUP_` one, so a half-configured backup can never resolve to the primary.
 */
import { join } from 'node:path';
import { AssetsError, ConfigError } from '../errors';
import { readFileSettings } from './settings-files';
import type { CdnSettings, EdgePolicy } from './edge-policy';
import { resolveEnvironment, type Environment } from './environment';

type Env = Readonly<Record<string, string | undefined>>;

export const BACKUP_PREFIX = 'BACKUP_';

/** The settings a store reads, each of which the backup has under its own `BACKUP_` name. */
export const STORE_SETTINGS = [
  'S3_ENDPOINT', 'S3_REGION', 'R2_ACCOUNT_ID', 'R2_BUCKET_NAME', 'R2_ACCESS_KEY_ID', 'R2_SECRET_ACCESS_KEY',
  'R2_PUBLIC_DOMAIN', 'R2_ARCHIVE_BUCKET', 'CLOUDFLARE_PURGE_TOKEN', 'CLOUDFLARE_ZONE_ID',
  // gulp setup's admin token: the primary's must never be sent to the backup's endpoint.
  'R2_ADMIN_ACCESS_KEY_ID', 'R2_ADMIN_SECRET_ACCESS_KEY',
] as const;

/** Not per store: the purge API's base URL is the same for both. */
const SHARED_SETTINGS = ['CLOUDFLARE_API_URL'] as const;

/** The backup's settings under the plain names resolveEnvironment reads: only what a `BACKUP_` name sets. */
export function backupSettings(env: Env): Record<string, string | undefined> {
  const mapped: Record<string, string | undefined> = {};
  for (const name of STORE_SETTINGS) mapped[name] = env[`${BACKUP_PREFIX}${name}`];
  for (const name of SHARED_SETTINGS) mapped[name] = env[name];
  return mapped;
}

const STORE_NAMES = new RegExp(`(?<![A-Z_])(${STORE_SETTINGS.join('|')})(?![A-Z_])`, 'g');
/** A text about the mapped settings, naming the variables the user actually sets (`BACKUP_…`). */
const backupNamed = (text: string): string => text.replace(STORE_NAMES, `${BACKUP_PREFIX}$1`).replace('.env.<env>', '.env.backup');

/** A ConfigError about the mapped settings, naming the variables the user actually sets (`BACKUP_…`). */
export function asBackupError(error: ConfigError): ConfigError {
  return new ConfigError(backupNamed(error.message), error.hint && backupNamed(error.hint));
}

/**
 * Any error a command on `--env backup` ends with (verify --public needs R2_PUBLIC_DOMAIN, setup's admin
 * token…), its message and next step renamed in place to the backup's own variables.
 */
export function nameBackupSettings(error: unknown): void {
  if (!(error instanceof AssetsError)) return;
  error.message = backupNamed(error.message);
  if (error.hint) Object.assign(error, { hint: backupNamed(error.hint) });
}

/**
 * `.env.backup` holds `BACKUP_` names only: a plain `R2_BUCKET_NAME` there would be read into the process
 * environment and taken by the primary in the same command (`gulp mirror --env backup --to production`).
 */
export function checkBackupFile(dir = '.'): void {
  const file = join(dir, '.env.backup');
  const plain = Object.keys(readFileSettings(file)).filter((name) => (STORE_SETTINGS as readonly string[]).includes(name));
  if (plain.length > 0) {
    throw new ConfigError(`${file} sets ${plain.join(', ')}: the backup's settings carry the ${BACKUP_PREFIX} prefix`,
      `rename ${plain.length === 1 ? 'it' : 'them'} to ${plain.map((n) => `${BACKUP_PREFIX}${n}`).join(', ')} (the primary's settings stay in .env or .env.production)`);
  }
}

/** The backup environment, resolved from its `BACKUP_` settings; it serves with production's policy (it stands in for it). */
export function resolveBackupEnvironment(env: Env, policy: EdgePolicy, cdn: CdnSettings, dir = '.'): Environment {
  checkBackupFile(dir);
  try {
    return resolveEnvironment('backup', backupSettings(env), policy, cdn);
  } catch (error) {
    throw error instanceof ConfigError ? asBackupError(error) : error;
  }
}
