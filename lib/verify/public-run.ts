/** Verify's public step: the sample fetched with a progress line, its answers' latency summarised and judged. */
import { DEFAULT_CDN, type CorsRule } from '../config/edge-policy';
import { ConfigError } from '../errors';
import type { DesiredObject } from '../plan/match';
import { createProgress } from '../util/progress';
import { latencyWarnings, summariseLatency, type LatencySummary } from './latency';
import { publicCheck, type PublicProblem } from './public-check';

export interface PublicRunOptions {
  readonly concurrency: number;
  readonly quiet?: boolean;
  readonly requestTimeout?: number;
  readonly cors?: CorsRule;
  readonly slowP95Ms?: number;
}

/** What the public step measured, besides its problems: warnings never fail a verify. */
export interface PublicSummary {
  readonly latency: LatencySummary;
  readonly slowP95Ms: number;
  readonly warnings: readonly string[];
  /** The origins whose CORS answers were checked, in turn (none: not checked). */
  readonly origins: readonly string[];
}

export async function runPublic(
  base: string, targets: readonly DesiredObject[], options: PublicRunOptions,
): Promise<{ problems: PublicProblem[]; summary: PublicSummary }> {
  const progress = createProgress({ label: 'verify --public', total: targets.length, unit: 'obj', silent: options.quiet });
  const result = await publicCheck(base, targets, {
    concurrency: options.concurrency, timeoutMs: options.requestTimeout, cors: options.cors, onDone: () => progress.tick(1),
  });
  progress.done();
  // Not one answer at all, every request refused or unresolvable: the domain is unreachable, which is one problem, not one per object.
  if (targets.length > 0 && result.timesMs.length === 0 && result.problems.every((p) => p.kind === 'public-wrong' && /^(preflight \(OPTIONS for a GET\) from \S+: )?request failed/.test(p.reason))) {
    throw new ConfigError(`cannot reach the public domain ${base}: ${result.problems[0]?.reason ?? 'no answer'} (all ${targets.length} request(s)): nothing was checked publicly`,
      'check R2_PUBLIC_DOMAIN (the custom domain connected to the bucket) and that this machine can reach it; `gulp setup` checks it');
  }
  const latency = summariseLatency(result.timesMs, result.timedOut);
  const slowP95Ms = options.slowP95Ms ?? DEFAULT_CDN.slowP95Ms;
  return { problems: result.problems, summary: { latency, slowP95Ms, warnings: latencyWarnings(latency, slowP95Ms), origins: result.origins } };
}
