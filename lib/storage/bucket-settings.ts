/**
 * A bucket's configuration as `gulp setup` reads and sets it: CORS and lifecycle rules. Kept apart from
 * ObjectStore: on R2 these calls need an Admin token, which the token that syncs must not have. The
 * stores' ways of saying "none", "not supported" and "not allowed" come back as states, not errors.
 */
import {
  DeleteBucketCorsCommand, DeleteBucketLifecycleCommand, GetBucketCorsCommand, GetBucketLifecycleConfigurationCommand, PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand, type LifecycleRule, type S3Client,
} from '@aws-sdk/client-s3';
import { createS3Client, type ClientOptions, type StoreConfig } from './s3-client';
import { StoreError } from './store-error';

/** One CORS rule as a bucket holds it (methods and headers as the store answers them). */
export interface BucketCorsRule {
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

function ruleOf(rule: LifecycleRule): BucketLifecycleRule {
  const and = rule.Filter?.And;
  return {
    id: rule.ID, enabled: rule.Status === 'Enabled',
    prefix: rule.Filter?.Prefix ?? and?.Prefix ?? rule.Prefix ?? '',
    tagged: rule.Filter?.Tag !== undefined || (and?.Tags?.length ?? 0) > 0,
    expirationDays: rule.Expiration?.Days, expirationDate: rule.Expiration?.Date,
    noncurrentExpirationDays: rule.NoncurrentVersionExpiration?.NoncurrentDays,
    transitions: [
      ...(rule.Transitions ?? []).map((t) => ({ storageClass: String(t.StorageClass ?? ''), noncurrent: false, days: t.Days })),
      ...(rule.NoncurrentVersionTransitions ?? []).map((t) => ({ storageClass: String(t.StorageClass ?? ''), noncurrent: true, days: t.NoncurrentDays })),
    ],
    abortMultipartDays: rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
  };
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
  constructor(private readonly client: S3Client, readonly bucket: string) {}

  async getCors(): Promise<SettingRead<BucketCorsRule[]>> {
    try {
      const out = await this.client.send(new GetBucketCorsCommand({ Bucket: this.bucket }));
      const rules = (out.CORSRules ?? []).map((r) => ({
        origins: r.AllowedOrigins ?? [], methods: r.AllowedMethods ?? [], headers: r.AllowedHeaders ?? [],
        exposeHeaders: r.ExposeHeaders ?? [], maxAgeSeconds: r.MaxAgeSeconds,
      }));
      return rules.length === 0 ? { state: 'none' } : { state: 'set', value: rules };
    } catch (error) {
      const state = readState(error, 'NoSuchCORSConfiguration');
      if (state) return state;
      throw new StoreError(`read the CORS rules of bucket "${this.bucket}"`, undefined, error);
    }
  }

  async putCors(rules: readonly BucketCorsRule[]): Promise<void> {
    const CORSRules = rules.map((r) => ({
      AllowedOrigins: [...r.origins], AllowedMethods: [...r.methods], AllowedHeaders: r.headers.length > 0 ? [...r.headers] : undefined,
      ExposeHeaders: r.exposeHeaders.length > 0 ? [...r.exposeHeaders] : undefined, MaxAgeSeconds: r.maxAgeSeconds,
    }));
    await this.client.send(new PutBucketCorsCommand({ Bucket: this.bucket, CORSConfiguration: { CORSRules } }))
      .catch((error: unknown) => { throw new StoreError(`set the CORS rules of bucket "${this.bucket}"`, undefined, error, deniedHint(error)); });
  }

  async deleteCors(): Promise<void> {
    await this.client.send(new DeleteBucketCorsCommand({ Bucket: this.bucket }))
      .catch((error: unknown) => { throw new StoreError(`delete the CORS rules of bucket "${this.bucket}"`, undefined, error, deniedHint(error)); });
  }

  async getLifecycle(): Promise<SettingRead<BucketLifecycleRule[]>> {
    try {
      const out = await this.client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: this.bucket }));
      const rules = (out.Rules ?? []).map(ruleOf);
      return rules.length === 0 ? { state: 'none' } : { state: 'set', value: rules };
    } catch (error) {
      const state = readState(error, 'NoSuchLifecycleConfiguration');
      if (state) return state;
      throw new StoreError(`read the lifecycle rules of bucket "${this.bucket}"`, undefined, error);
    }
  }

  async putLifecycle(rules: readonly BucketLifecycleRule[]): Promise<void> {
    await this.client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: this.bucket, LifecycleConfiguration: { Rules: rules.map(s3RuleOf) } }))
      .catch((error: unknown) => { throw new StoreError(`set the lifecycle rules of bucket "${this.bucket}"`, undefined, error, deniedHint(error)); });
  }

  async deleteLifecycle(): Promise<void> {
    await this.client.send(new DeleteBucketLifecycleCommand({ Bucket: this.bucket }))
      .catch((error: unknown) => { throw new StoreError(`delete the lifecycle rules of bucket "${this.bucket}"`, undefined, error, deniedHint(error)); });
  }
}

function deniedHint(error: unknown): string | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403 ? ADMIN_HINT : undefined;
}

/**
 * Bucket settings over the S3 API at `config`'s endpoint, signed with its credentials (setup passes the
 * admin token's). `settings(bucket)` reaches another bucket of the same account (R2_ARCHIVE_BUCKET).
 */
export function openBucketSettings(config: StoreConfig, options: ClientOptions = {}): { settings(bucket?: string): BucketSettings; destroy(): void } {
  const client = createS3Client(config, { maxAttempts: 3, ...options });
  return { settings: (bucket = config.bucket) => new S3BucketSettings(client, bucket), destroy: () => client.destroy() };
}
