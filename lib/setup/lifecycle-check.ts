/** The lifecycle check: no rule on the images' bucket or the records' bucket would delete what the tool keeps. */
import { messageOf } from '../errors';
import type { BucketSettings } from '../storage/bucket-settings';
import { adminFix } from './config-access';
import { judgeLifecycle, type RuleFinding } from './lifecycle-rules';
import { failed, passed, skipped, type SetupItem } from './setup-item';

export interface LifecycleTarget {
  readonly settings: BucketSettings;
  /** What the tool keeps in this bucket: `album/`, `artist/` for images; `_archive/`, `_releases/`, `_state/` for records. */
  readonly prefixes: readonly string[];
}

const NAME = 'lifecycle';
const findings = (bucket: string, list: readonly RuleFinding[]) => list.map((f) => `bucket "${bucket}": rule ${f.rule} ${f.harm}`);

export async function lifecycleCheck(targets: readonly LifecycleTarget[], environment: string): Promise<SetupItem> {
  const harmful: string[] = [];
  const rules: string[] = [];
  const fine: string[] = [];
  const unread: string[] = [];
  for (const { settings, prefixes } of targets) {
    const bucket = settings.bucket;
    let read;
    try { read = await settings.getLifecycle(); } catch (error) { return failed(NAME, `cannot read the lifecycle rules of bucket "${bucket}": ${messageOf(error)}`); }
    if (read.state === 'denied') unread.push(`bucket "${bucket}" (${read.reason})`);
    else if (read.state === 'unsupported') fine.push(`bucket "${bucket}": the store has no lifecycle rules`);
    else if (read.state === 'none') fine.push(`bucket "${bucket}": no rules`);
    else {
      const judged = judgeLifecycle(read.value, prefixes);
      harmful.push(...findings(bucket, judged.harmful));
      rules.push(...judged.harmful.map((f) => f.rule));
      fine.push(judged.harmless.length > 0 ? findings(bucket, judged.harmless).join('; ') : `bucket "${bucket}": no rule reaches the tool's objects`);
    }
  }
  if (harmful.length > 0) {
    return failed(NAME, `would delete what rollbacks need: ${harmful.join('; ')}`,
      `delete or narrow rule(s) ${[...new Set(rules)].join(', ')} (Cloudflare dashboard → R2 → the bucket → Settings → Object lifecycle rules); history is trimmed by \`gulp prune --env ${environment} --keep <n>\`, which keeps every listed release restorable`);
  }
  if (unread.length > 0) return skipped(NAME, `not checked: cannot read the rules of ${unread.join(', ')}`, adminFix(environment));
  return passed(NAME, `no rule expires the archive, the records or the images (${fine.join('; ')})`);
}
