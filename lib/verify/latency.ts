/** verify --public's latency: per-answer times summarised as nearest-rank percentiles, and the slow-CDN warning. */

export interface LatencySummary {
  /** Answers timed (any status); requests that timed out or failed are not among them. */
  readonly count: number;
  /** Requests that got no whole answer within the deadline (each is also a problem). */
  readonly timedOut: number;
  /** Undefined when nothing was timed. */
  readonly p50Ms?: number;
  readonly p95Ms?: number;
  readonly maxMs?: number;
}

/**
 * The nearest-rank `percent`-th percentile of `values` (in any order): the smallest value with at least
 * `percent` % of the values at or below it. Undefined for no values; `percent` must be in (0, 100].
 */
export function nearestRank(values: readonly number[], percent: number): number | undefined {
  if (!(percent > 0 && percent <= 100)) throw new RangeError(`percentile ${percent} is not in (0, 100]`);
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((percent / 100) * sorted.length) - 1];
}

export function summariseLatency(timesMs: readonly number[], timedOut: number): LatencySummary {
  return {
    count: timesMs.length, timedOut,
    p50Ms: nearestRank(timesMs, 50), p95Ms: nearestRank(timesMs, 95), maxMs: nearestRank(timesMs, 100),
  };
}

/** A p95 over the CDN threshold: a warning, never a failure (a slow edge is not a wrong bucket). */
export function latencyWarnings(latency: LatencySummary, slowP95Ms: number): string[] {
  if (latency.p95Ms === undefined || latency.p95Ms <= slowP95Ms) return [];
  return [`public answers are slow: p95 ${latency.p95Ms} ms over ${latency.count} answers, above the CDN threshold of ${slowP95Ms} ms (cdn.slowP95Ms in assets.config.ts)`];
}

export function formatLatency(latency: LatencySummary): string {
  const timedOut = latency.timedOut ? `; ${latency.timedOut} timed out` : '';
  if (latency.count === 0) return `no public answer timed${timedOut}`;
  return `${latency.count} answer${latency.count === 1 ? '' : 's'}: p50 ${latency.p50Ms} ms, p95 ${latency.p95Ms} ms, max ${latency.maxMs} ms${timedOut}`;
}
