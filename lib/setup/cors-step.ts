/**
 * The one thing `gulp setup` changes: the images bucket's CORS, from assets.config.ts. Read, plan (keep or
 * apply), apply unless --dry-run or without the right to, then read back to prove it took.
 */
import type { CorsRule } from '../config/edge-policy';
import { AssetsError, messageOf } from '../errors';
import type { BucketCorsRule, BucketSettings, SettingRead } from '../storage/bucket-settings';
import { adminFix } from './config-access';
import { describeCors, planCors } from './cors-plan';
import { failed, passed, skipped, type SetupItem } from './setup-item';

export interface CorsStepOptions {
  readonly dryRun: boolean;
  /** Admin credentials, or a development bucket. */
  readonly canApply: boolean;
  readonly environment: string;
}

export interface CorsStepResult {
  readonly item: SetupItem;
  /** A change is planned but not applied (--dry-run): the public CORS checks see the bucket as it was. */
  readonly pending: boolean;
  /** The bucket's CORS as read before any change (for the report: a change can be undone by hand); undefined when not read. */
  readonly before?: SettingRead<BucketCorsRule[]>;
}

const NAME = 'CORS';
const hintOf = (error: unknown) => (error instanceof AssetsError ? error.hint : undefined);

export async function corsStep(settings: BucketSettings, configured: CorsRule, options: CorsStepOptions): Promise<CorsStepResult> {
  let read: SettingRead<BucketCorsRule[]> | undefined;
  const done = (item: SetupItem, pending = false): CorsStepResult => ({ item, pending, before: read });
  const fix = adminFix(options.environment);
  try { read = await settings.getCors(); } catch (error) { return done(failed(NAME, `cannot read the bucket's CORS rules: ${messageOf(error)}`, hintOf(error))); }
  if (read.state === 'unsupported') return done(skipped(NAME, `not applied: the store has no CORS configuration (${read.reason})`));
  if (read.state === 'denied') {
    return done(options.canApply
      ? failed(NAME, `cannot read the bucket's CORS rules with these credentials (${read.reason})`, fix)
      : skipped(NAME, 'not read or applied: no admin credentials, and the sync token may not read bucket settings', fix));
  }
  const plan = planCors(read.state === 'set' ? read.value : undefined, configured);
  const kept = plan.keptLine ? `; ${plan.keptLine}` : '';
  if (plan.action === 'keep') return done(passed(NAME, `as configured: ${describeCors(plan.wanted)}${kept}`));
  if (options.dryRun) return done({ ...skipped(NAME, 'would apply (--dry-run: not changed)'), changes: plan.changes }, true);
  if (!options.canApply) return done({ ...failed(NAME, 'differs from assets.config.ts and was not applied: no admin credentials', fix), changes: plan.changes });
  try {
    await settings.putCors(plan.rules);
  } catch (error) {
    return done({ ...failed(NAME, `not applied: ${messageOf(error)}`, hintOf(error) ?? fix), changes: plan.changes });
  }
  const after = await settings.getCors().catch(() => undefined);
  const check = after?.state === 'set' ? planCors(after.value, configured) : undefined;
  if (check?.action !== 'keep') {
    return done({ ...failed(NAME, 'applied, but reading it back does not give the configured rule', 'check what the store keeps of a CORS rule (its dashboard), then run setup again'), changes: check?.changes ?? plan.changes });
  }
  return done({ ...passed(NAME, `applied: ${describeCors(plan.wanted)}${kept}`), changes: plan.changes });
}
