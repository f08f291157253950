/**
 * What `gulp setup` does to a bucket's CORS. The tool owns only read rules (methods GET and HEAD at most);
 * a rule with any other method (uploads from an admin app…) is someone else's and is kept as it is. Ours
 * is kept when it already says what assets.config.ts says (compared in one canonical form, so order and
 * case never cause a change and a re-run is a no-op), else replaced by the configured rule. Pure.
 */
import type { CorsRule } from '../config/edge-policy';
import type { BucketCorsRule } from '../storage/bucket-settings';

export interface CorsPlan {
  readonly action: 'keep' | 'apply';
  /** The tool's rule as the bucket should carry it. */
  readonly wanted: BucketCorsRule;
  /** The whole configuration to put (PutBucketCors replaces all): the rules kept, then the tool's. */
  readonly rules: readonly BucketCorsRule[];
  /** The rules that are not the tool's, as read: kept, never changed. */
  readonly kept: readonly BucketCorsRule[];
  /** `kept 1 rule that is not this tool's (PUT, POST from https://admin.example.org)`; undefined when none. */
  readonly keptLine?: string;
  /** What applying changes, one line each; empty when kept. */
  readonly changes: readonly string[];
}

const sorted = (values: readonly string[], form: (v: string) => string) => [...new Set(values.map(form))].sort();
const lower = (v: string) => v.toLowerCase();
const upper = (v: string) => v.toUpperCase();

/** A rule in canonical form: origins and header names lower-case, methods upper-case, each list sorted and unique. */
export function canonicalCors(rule: BucketCorsRule): BucketCorsRule {
  return {
    origins: sorted(rule.origins, lower), methods: sorted(rule.methods, upper), headers: sorted(rule.headers, lower),
    exposeHeaders: sorted(rule.exposeHeaders, lower), maxAgeSeconds: rule.maxAgeSeconds,
  };
}

/** The configured rule as the bucket should hold it. */
export function wantedCors(rule: CorsRule): BucketCorsRule {
  return { origins: rule.origins, methods: rule.methods, headers: rule.headers, exposeHeaders: [], maxAgeSeconds: rule.maxAgeSeconds };
}

const list = (values: readonly string[]) => (values.length > 0 ? values.join(', ') : 'none');
const age = (seconds: number | undefined) => (seconds === undefined ? 'unset' : `${seconds} s`);

/** One rule in a line: `origins https://russ.fm, http://localhost:5173; methods GET, HEAD; headers *; max age 3600 s`. */
export function describeCors(rule: BucketCorsRule): string {
  const expose = rule.exposeHeaders.length > 0 ? `; exposes ${list(rule.exposeHeaders)}` : '';
  return `origins ${list(rule.origins)}; methods ${list(rule.methods)}; headers ${list(rule.headers)}; max age ${age(rule.maxAgeSeconds)}${expose}`;
}

/** `origins: + a, − b` for a list that differs; undefined when equal. */
function listChange(name: string, from: readonly string[], to: readonly string[]): string | undefined {
  const added = to.filter((v) => !from.includes(v));
  const removed = from.filter((v) => !to.includes(v));
  if (added.length === 0 && removed.length === 0) return undefined;
  return `${name}: ${[...added.map((v) => `+ ${v}`), ...removed.map((v) => `− ${v}`)].join(', ')}`;
}

function ruleChanges(from: BucketCorsRule, to: BucketCorsRule): string[] {
  const changes = [
    listChange('origins', from.origins, to.origins), listChange('methods', from.methods, to.methods),
    listChange('headers', from.headers, to.headers), listChange('exposed headers', from.exposeHeaders, to.exposeHeaders),
    from.maxAgeSeconds === to.maxAgeSeconds ? undefined : `max age: ${age(to.maxAgeSeconds)} (was ${age(from.maxAgeSeconds)})`,
  ];
  return changes.filter((c): c is string => c !== undefined);
}

const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/** A rule the tool owns: it allows reads only. */
export const isReadRule = (rule: BucketCorsRule): boolean => rule.methods.every((m) => READ_METHODS.has(m.trim().toUpperCase()));

function keptLine(kept: readonly BucketCorsRule[]): string | undefined {
  if (kept.length === 0) return undefined;
  const each = kept.map((r) => `${list(r.methods)} from ${list(r.origins)}`).join('; ');
  return `kept ${kept.length} rule${kept.length === 1 ? '' : 's'} that ${kept.length === 1 ? 'is' : 'are'} not this tool's (${each})`;
}

/** Keep or apply, given the bucket's current rules (undefined or [] = none set) and the configured rule. */
export function planCors(current: readonly BucketCorsRule[] | undefined, configured: CorsRule): CorsPlan {
  const wanted = wantedCors(configured);
  const target = canonicalCors(wanted);
  // Theirs first: their requests keep matching the rule they matched before (the first matching rule wins).
  const kept = (current ?? []).filter((r) => !isReadRule(r));
  const base = { wanted, rules: [...kept, wanted], kept, keptLine: keptLine(kept) };
  const withKept = (changes: string[]) => (base.keptLine ? [...changes, base.keptLine] : changes);
  const rules = (current ?? []).filter(isReadRule).map(canonicalCors);
  if (rules.length === 0) return { ...base, action: 'apply', changes: withKept([`+ ${describeCors(wanted)} (none set before)`]) };
  if (rules.length > 1) {
    return { ...base, action: 'apply', changes: withKept([...rules.map((r) => `− ${describeCors(r)}`), `+ ${describeCors(wanted)} (${rules.length} read rules become 1)`]) };
  }
  const changes = ruleChanges(rules[0] as BucketCorsRule, target);
  return { ...base, action: changes.length === 0 ? 'keep' : 'apply', changes: changes.length === 0 ? [] : withKept(changes) };
}
