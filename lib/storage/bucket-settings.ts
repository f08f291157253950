/**
 * A bucket's configuration as `gulp setup` reads and sets it: CORS and lifecycle rules. Kept apart from
 * ObjectStore: on R2 these calls need an Admin token, which the token that syncs must not have. The
 * stores' ways of saying "none", "not supported" and "not allowed" come back as states, not errors.
 */
import {
  DeleteBucketCorsCommand, DeleteBucketLifecycleCommand, GetBucketCorsCommand, GetBucketLifecycleConfigurationCommand, PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand, type LifecycleRule, type S3Client,
} from '@aws-sdk/client-s3';
import { corsRuleOf, lifecycleRuleOf } from './bucket-settings-parse';
import { createS3Client, type ClientOptions, type StoreConfig } from './s3-client';
import { StoreError } from './store-error';

/** Whole-call deadline of each bucket-settings request (the client's own timeouts stop at the headers, or reset on each byte). */
export const SETTINGS_DEADLINE_MS = 60_000;

/** One CORS rule as a bucket holds it (methods and headers as the store answers them). */
export interface BucketCorsRule {
  /** The rule's ID, when it has one: kept when setup rewrites the configuration around another tool's rule. */
  readonly id?: string;
  readonly origins: readonly string[];
  readonly methods: readonly string[];
  readonly headers: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds?: number;
}

/** A lifecycle rule, reduced to what decides whether it deletes or moves the tool's objects. */
export interface BucketLifecycleRule {
  readonly id?: string;
  readonly enabled: boolean;
  /** The prefix it applies to ('' = every object). */
  readonly prefix: string;
  /** It also filters on tags: the tool tags no object, so it never matches one of them. */
  readonly tagged: boolean;
  readonly expirationDays?: number;
  readonly expirationDate?: Date;
  /** It expires objects, but its day count is not a count (the store sent garbage): judged as expiring. */
  readonly expirationUnreadable?: boolean;
  readonly noncurrentExpirationDays?: number;
  readonly transitions: readonly { readonly storageClass: string; readonly noncurrent: boolean; readonly days?: number }[];
  readonly abortMultipartDays?: number;
}

/** What a read found: the configuration, none set, a store without the call, or credentials not allowed to read it. */
export type SettingRead<T> =
  | { readonly state: 'set'; readonly value: T }
  | { readonly state: 'none' }
  | { readonly state: 'unsupported'; readonly reason: string }
  | { readonly state: 'denied'; readonly reason: string };

export interface BucketSettings {
  readonly bucket: string;
  getCors(): Promise<SettingRead<BucketCorsRule[]>>;
  /** Replaces the bucket's whole CORS configuration with these rules. */
  putCors(rules: readonly BucketCorsRule[]): Promise<void>;
  /** Removes every CORS rule (tests; setup never does). */
  deleteCors(): Promise<void>;
  getLifecycle(): Promise<SettingRead<BucketLifecycleRule[]>>;
  /** Replaces the bucket's lifecycle rules: expiration, noncurrent expiration, multipart abort (transitions are only read). Setup only reads them; tests set them. */
  putLifecycle(rules: readonly BucketLifecycleRule[]): Promise<void>;
  deleteLifecycle(): Promise<void>;
}

const ADMIN_HINT = 'bucket settings need an R2 token with Admin Read & Write (R2_ADMIN_ACCESS_KEY_ID / R2_ADMIN_SECRET_ACCESS_KEY); the Object Read & Write token that syncs cannot change them';

/** How a store said no to a read: the state it means, or undefined for a real failure. */
function readState(error: unknown, none: string): SettingRead<never> | undefined {
  const e = error as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e.name ?? e.Code ?? '';
  const status = e.$metadata?.httpStatusCode;
  if (name === none) return { state: 'none' };
  if (name === 'NotImplemented' || status === 501) return { state: 'unsupported', reason: `${name || 'HTTP 501'}: the store does not implement it` };
  if (status === 403 || name === 'AccessDenied') return { state: 'denied', reason: `${name || 'HTTP 403'}: these credentials may not read the bucket's settings` };
  return undefined;
}

function s3RuleOf(rule: BucketLifecycleRule): LifecycleRule {
  const expiration = rule.expirationDays !== undefined || rule.expirationDate !== undefined
    ? { Days: rule.expirationDays, Date: rule.expirationDate } : undefined;
  return {
    ID: rule.id, Status: rule.enabled ? 'Enabled' : 'Disabled', Filter: { Prefix: rule.prefix }, Expiration: expiration,
    NoncurrentVersionExpiration: rule.noncurrentExpirationDays === undefined ? undefined : { NoncurrentDays: rule.noncurrentExpirationDays },
    AbortIncompleteMultipartUpload: rule.abortMultipartDays === undefined ? undefined : { DaysAfterInitiation: rule.abortMultipartDays },
  };
}

class S3BucketSettings implements BucketSettings {
  constructor(private readonly client: S3Client, readonly bucket: string, private readonly deadlineMs: number) {}

  /** Sends with a deadline on the whole call, answer body included; past it, a StoreError that says so. */
  private async send<T>(what: string, call: (client: S3Client, options: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(this.deadlineMs);
    // The race also covers a body the SDK keeps reading after the abort.
    const expired = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    try {
      return await Promise.race([call(this.client, { abortSignal: signal }), expired]);
    } catch (error) {
      if (!signal.aborted) throw error;
      throw new StoreError(`${what} of bucket "${this.bucket}"`, undefined, { name: 'Timeout', message: `no complete answer within ${this.deadlineMs / 1000} s` },
        'the endpoint answers too slowly: check S3_ENDPOINT / R2_ACCOUNT_ID and the network, then run again');
    }
  }

  /** A read: the rules it found, none, or what the store's refusal means (readState); anything else a StoreError. */
  private async read<T>(what: string, none: string, call: (client: S3Client, options: { abortSignal: AbortSignal }) => Promise<readonly T[] | undefined>): Promise<SettingRead<T[]>> {
    try {
      const rules = [...(await this.send(what, call)) ?? []];
      return rules.length === 0 ? { state: 'none' } : { state: 'set', value: rules };
    } catch (error) {
      if (error instanceof StoreError) throw error;
      const state = readState(error, none);
      if (state) return state;
      throw new StoreError(`${what} of bucket "${this.bucket}"`, undefined, error);
    }
  }

  /** A write: any failure a StoreError, naming the admin token when the store said 403. */
  private async write(what: string, call: (client: S3Client, options: { abortSignal: AbortSignal }) => Promise<unknown>): Promise<void> {
    await this.send(what, call)
      .catch((error: unknown) => { throw error instanceof StoreError ? error : new StoreError(`${what} of bucket "${this.bucket}"`, undefined, error, deniedHint(error)); });
  }

  getCors(): Promise<SettingRead<BucketCorsRule[]>> {
    return this.read('read the CORS rules', 'NoSuchCORSConfiguration',
      async (c, o) => (await c.send(new GetBucketCorsCommand({ Bucket: this.bucket }), o)).CORSRules?.map(corsRuleOf));
  }

  putCors(rules: readonly BucketCorsRule[]): Promise<void> {
    const CORSRules = rules.map((r) => ({
      AllowedOrigins: [...r.origins], AllowedMethods: [...r.methods], AllowedHeaders: r.headers.length > 0 ? [...r.headers] : undefined,
      ExposeHeaders: r.exposeHeaders.length > 0 ? [...r.exposeHeaders] : undefined, MaxAgeSeconds: r.maxAgeSeconds, ID: r.id,
    }));
    return this.write('set the CORS rules', (c, o) => c.send(new PutBucketCorsCommand({ Bucket: this.bucket, CORSConfiguration: { CORSRules } }), o));
  }

  deleteCors(): Promise<void> {
    return this.write('delete the CORS rules', (c, o) => c.send(new DeleteBucketCorsCommand({ Bucket: this.bucket }), o));
  }

  getLifecycle(): Promise<SettingRead<BucketLifecycleRule[]>> {
    return this.read('read the lifecycle rules', 'NoSuchLifecycleConfiguration',
      async (c, o) => (await c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: this.bucket }), o)).Rules?.map(lifecycleRuleOf));
  }

  putLifecycle(rules: readonly BucketLifecycleRule[]): Promise<void> {
    return this.write('set the lifecycle rules',
      (c, o) => c.send(new PutBucketLifecycleConfigurationCommand({ Bucket: this.bucket, LifecycleConfiguration: { Rules: rules.map(s3RuleOf) } }), o));
  }

  deleteLifecycle(): Promise<void> {
    return this.write('delete the lifecycle rules', (c, o) => c.send(new DeleteBucketLifecycleCommand({ Bucket: this.bucket }), o));
  }
}

function deniedHint(error: unknown): string | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403 ? ADMIN_HINT : undefined;
}

/**
 * Bucket settings over the S3 API at `config`'s endpoint, signed with its credentials (setup passes the
 * admin token's). `settings(bucket)` reaches another bucket of the same account (R2_ARCHIVE_BUCKET).
 */
export function openBucketSettings(config: StoreConfig, options: ClientOptions & { readonly deadlineMs?: number } = {}): { settings(bucket?: string): BucketSettings; destroy(): void } {
  const client = createS3Client(config, { maxAttempts: 3, ...options });
  const deadlineMs = options.deadlineMs ?? SETTINGS_DEADLINE_MS;
  return { settings: (bucket = config.bucket) => new S3BucketSettings(client, bucket, deadlineMs), destroy: () => client.destroy() };
}
