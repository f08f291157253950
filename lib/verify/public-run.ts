/** Verify's public step: the sample fetched with a progress line, its answers' latency summarised and judged. */
import { DEFAULT_CDN, type CorsRule } from '../config/edge-policy';
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
  const latency = summariseLatency(result.timesMs, result.timedOut);
  const slowP95Ms = options.slowP95Ms ?? DEFAULT_CDN.slowP95Ms;
  return { problems: result.problems, summary: { latency, slowP95Ms, warnings: latencyWarnings(latency, slowP95Ms), origins: result.origins } };
}
