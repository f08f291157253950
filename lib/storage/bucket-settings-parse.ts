/**
 * A bucket's CORS and lifecycle answers, validated where they enter: every string is made printable (an ID
 * or origin can carry escape codes or line breaks that would forge report lines) and every count must be
 * a finite non-negative integer, else it is treated as absent (a `NaN` max age is no max age).
 */
import type { CORSRule, LifecycleRule } from '@aws-sdk/client-s3';
import { printable } from '../util/printable';
import type { BucketCorsRule, BucketLifecycleRule } from './bucket-settings';

/** A count from the store: a finite non-negative integer, else undefined. */
export function countOf(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

const text = (value: unknown): string => printable(String(value ?? ''));
const texts = (values: readonly unknown[] | undefined): string[] => (values ?? []).map(text);
const dateOf = (value: unknown): Date | undefined => (value instanceof Date && Number.isFinite(value.getTime()) ? value : undefined);

export function corsRuleOf(rule: CORSRule): BucketCorsRule {
  return {
    origins: texts(rule.AllowedOrigins), methods: texts(rule.AllowedMethods), headers: texts(rule.AllowedHeaders),
    exposeHeaders: texts(rule.ExposeHeaders), maxAgeSeconds: countOf(rule.MaxAgeSeconds),
    ...(rule.ID === undefined ? {} : { id: text(rule.ID) }),
  };
}

// Stores differ in case ("enabled", "glacier"); S3 itself only sends the canonical spelling.
export function lifecycleRuleOf(rule: LifecycleRule): BucketLifecycleRule {
  const and = rule.Filter?.And;
  const prefix = rule.Filter?.Prefix ?? and?.Prefix ?? rule.Prefix ?? '';
  const days = rule.Expiration?.Days;
  return {
    expirationUnreadable: days !== undefined && countOf(days) === undefined ? true : undefined,
    id: rule.ID === undefined ? undefined : text(rule.ID),
    enabled: String(rule.Status ?? '').trim().toLowerCase() === 'enabled',
    prefix: text(prefix),
    tagged: rule.Filter?.Tag !== undefined || (and?.Tags?.length ?? 0) > 0,
    expirationDays: countOf(rule.Expiration?.Days), expirationDate: dateOf(rule.Expiration?.Date),
    noncurrentExpirationDays: countOf(rule.NoncurrentVersionExpiration?.NoncurrentDays),
    transitions: [
      ...(rule.Transitions ?? []).map((t) => ({ storageClass: text(t.StorageClass).toUpperCase(), noncurrent: false, days: countOf(t.Days) })),
      ...(rule.NoncurrentVersionTransitions ?? []).map((t) => ({ storageClass: text(t.StorageClass).toUpperCase(), noncurrent: true, days: countOf(t.NoncurrentDays) })),
    ],
    abortMultipartDays: countOf(rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation),
  };
}
