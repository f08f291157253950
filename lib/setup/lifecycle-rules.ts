/**
 * Whether a bucket's lifecycle rules would delete what the tool keeps: the archive and release records
 * (`_archive/`, `_releases/`, `_state/`) that rollbacks need, or the published images. Trimming history
 * is `gulp prune --keep n`'s job, by release; a rule that expires by age can leave a listed release
 * unrestorable. Pure.
 */
import type { BucketLifecycleRule } from '../storage/bucket-settings';

/** Storage classes an object cannot be copied out of without a restore first (S3 Glacier Flexible / Deep Archive). */
const OFFLINE_CLASSES: ReadonlySet<string> = new Set(['GLACIER', 'DEEP_ARCHIVE']);

export interface RuleFinding {
  readonly rule: string;
  /** What the rule does to which of the protected prefixes. */
  readonly harm: string;
}

export interface LifecycleJudgement {
  readonly harmful: readonly RuleFinding[];
  /** Rules that leave the tool's objects alone, and why (for the ✓ line). */
  readonly harmless: readonly RuleFinding[];
}

export const ruleName = (rule: BucketLifecycleRule): string => (rule.id ? `"${rule.id}"` : '(no id)');

/** The protected prefixes a rule's prefix reaches ('' reaches all; a rule on `_archive/ab` reaches part of `_archive/`). */
function reached(rulePrefix: string, prefixes: readonly string[]): string[] {
  return prefixes.filter((p) => p.startsWith(rulePrefix) || rulePrefix.startsWith(p));
}

function actionsOf(rule: BucketLifecycleRule): { harmful: string[]; harmless: string[] } {
  const harmful: string[] = [];
  const harmless: string[] = [];
  if (rule.expirationDays !== undefined) harmful.push(`expires objects after ${rule.expirationDays} day(s)`);
  if (rule.expirationUnreadable) harmful.push('expires objects (after a day count that is not a number)');
  if (rule.expirationDate !== undefined) harmful.push(`expires objects on ${rule.expirationDate.toISOString().slice(0, 10)}`);
  if (rule.noncurrentExpirationDays !== undefined) harmful.push(`deletes noncurrent versions after ${rule.noncurrentExpirationDays} day(s) (on a versioned bucket they are the history)`);
  for (const t of rule.transitions) {
    const what = `moves ${t.noncurrent ? 'noncurrent versions' : 'objects'} to ${t.storageClass}${t.days === undefined ? '' : ` after ${t.days} day(s)`}`;
    if (OFFLINE_CLASSES.has(t.storageClass.toUpperCase())) harmful.push(`${what} (they cannot be copied back without a restore first)`);
    else harmless.push(`${what} (still readable)`);
  }
  if (rule.abortMultipartDays !== undefined) harmless.push(`aborts incomplete multipart uploads after ${rule.abortMultipartDays} day(s)`);
  return { harmful, harmless };
}

/** Judges each rule against the prefixes the tool keeps in this bucket (`album/` etc. for images, the reserved ones for records). */
export function judgeLifecycle(rules: readonly BucketLifecycleRule[], prefixes: readonly string[]): LifecycleJudgement {
  const harmful: RuleFinding[] = [];
  const harmless: RuleFinding[] = [];
  for (const rule of rules) {
    const name = ruleName(rule);
    const { harmful: deletes, harmless: benign } = actionsOf(rule);
    const hits = reached(rule.prefix, prefixes);
    const scope = rule.prefix === '' ? 'every object' : `objects under "${rule.prefix}"`;
    if (!rule.enabled) harmless.push({ rule: name, harm: 'is disabled' });
    else if (rule.tagged) harmless.push({ rule: name, harm: 'applies only to tagged objects (the tool tags none)' });
    else if (deletes.length > 0 && hits.length > 0) harmful.push({ rule: name, harm: `${deletes.join('; ')}: ${scope}, which covers ${hits.join(', ')}` });
    else if (deletes.length > 0) harmless.push({ rule: name, harm: `${deletes.join('; ')}, but only ${scope}` });
    if (rule.enabled && !rule.tagged && benign.length > 0) harmless.push({ rule: name, harm: benign.join('; ') });
  }
  return { harmful, harmless };
}
