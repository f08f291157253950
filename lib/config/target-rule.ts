/**
 * The bucket a command reaches when --env is left out: development, the embedded local bucket (unless
 * S3_ENDPOINT is set), so `npx gulp` works on a fresh machine. A CI job with R2 credentials that forgot
 * --env would "deploy" to a bucket that ends with the job, and pass: that is refused. Elsewhere, R2
 * settings that are there but not used are said in one line. Secrets are named, never printed.
 */
import { ConfigError } from '../errors';
import { printable } from '../util/printable';

type Env = Readonly<Record<string, string | undefined>>;

const CREDENTIALS = ['R2_ACCESS_KEY_ID', 'R2_SECRET_ACCESS_KEY'] as const;
const R2_SETTINGS = ['R2_ACCOUNT_ID', ...CREDENTIALS] as const;

export interface TargetInput {
  /** --env was on the command line (development given on purpose counts). */
  readonly explicit: boolean;
  /** The process environment as the command started: CI's variables and secrets. */
  readonly started: Env;
  /** Every setting the command sees: the process environment and the settings files. */
  readonly settings: Env;
  /** What `.env.staging` and `.env.production` set (a default run reads neither). */
  readonly remote?: Env;
}

const isSet = (value: string | undefined): boolean => value !== undefined && value.trim() !== '';

/** CI is set the way CI services set it (`true`, `1`, a name); empty, `false` and `0` are not CI. */
export function isCi(env: Env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

/**
 * Throws ConfigError for a CI run with R2 credentials in its environment, no S3_ENDPOINT and no --env.
 * Returns the line to print when R2 settings are found but the default (development) does not use
 * them; undefined when there is nothing to say.
 */
export function checkTarget(input: TargetInput): string | undefined {
  if (input.explicit || isSet(input.settings.S3_ENDPOINT)) return undefined;
  // Credentials anywhere a deploy could take them from: CI's secrets, or a settings file the job wrote.
  const where = [['its environment', input.started], ['a settings file', input.settings], ['.env.staging or .env.production', input.remote ?? {}]] as const;
  const found = where.find(([, env]) => CREDENTIALS.some((name) => isSet(env[name])));
  if (isCi(input.started) && found) {
    const credentials = CREDENTIALS.filter((name) => isSet(found[1][name]));
    throw new ConfigError(
      `CI run with R2 credentials (${credentials.join(', ')}, in ${found[0]}) but no --env: it would work on the embedded local bucket, which ends with this job, and pass`,
      'pass --env production (or --env development to use the embedded bucket on purpose)',
    );
  }
  const unused = R2_SETTINGS.filter((name) => isSet(input.settings[name]));
  if (unused.length === 0) return undefined;
  const bucket = input.settings.R2_BUCKET_NAME?.trim();
  return `R2 settings found (${bucket ? `R2_BUCKET_NAME=${printable(bucket)}` : unused.join(', ')}) but not used: `
    + '--env development uses the embedded bucket; pass --env production to deploy';
}
