import { expect } from 'chai';
import { formatLatency, latencyWarnings, nearestRank, summariseLatency } from '../../lib/verify/latency';

describe('verify --public latency (nearest-rank percentiles)', () => {
  it('takes the smallest value with at least p % of the values at or below it', async () => {
    const values = [15, 20, 35, 40, 50];
    expect([5, 30, 40, 50, 100].map((p) => nearestRank(values, p))).to.deep.equal([15, 20, 20, 35, 50]);
  });

  it('does not care about order, never interpolates, and has no percentile of nothing', async () => {
    expect(nearestRank([50, 15, 40, 20, 35], 50)).to.equal(35);
    expect(nearestRank([10, 1000], 50)).to.equal(10);
    expect(nearestRank([10, 1000], 51)).to.equal(1000);
    expect(nearestRank([7], 95)).to.equal(7);
    expect(nearestRank([], 95)).to.equal(undefined);
  });

  it('refuses a percentile outside (0, 100]', async () => {
    expect(() => nearestRank([1], 0)).to.throw(RangeError, /percentile 0/);
    expect(() => nearestRank([1], 101)).to.throw(RangeError);
    expect(() => nearestRank([1], Number.NaN)).to.throw(RangeError);
  });

  it('summarises 1..100 ms as p50 50, p95 95, max 100, counting timeouts apart', async () => {
    const times = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(summariseLatency(times, 3)).to.deep.equal({ count: 100, timedOut: 3, p50Ms: 50, p95Ms: 95, maxMs: 100 });
    expect(summariseLatency([], 2)).to.deep.equal({ count: 0, timedOut: 2, p50Ms: undefined, p95Ms: undefined, maxMs: undefined });
  });

  it('warns only when p95 is over the threshold, naming both', async () => {
    const summary = summariseLatency([100, 200, 2500], 0);
    expect(latencyWarnings(summary, 2500)).to.deep.equal([]);
    const [warning, ...more] = latencyWarnings(summary, 2499);
    expect(more).to.deep.equal([]);
    expect(warning).to.match(/p95 2500 ms over 3 answers, above the CDN threshold of 2499 ms \(cdn\.slowP95Ms/);
    expect(latencyWarnings(summariseLatency([], 5), 1)).to.deep.equal([]); // all timed out: problems, not a latency
  });

  it('prints the percentiles, and the timeouts when there were any', async () => {
    expect(formatLatency(summariseLatency([3, 1, 2], 0))).to.equal('3 answers: p50 2 ms, p95 3 ms, max 3 ms');
    expect(formatLatency(summariseLatency([4], 1))).to.equal('1 answer: p50 4 ms, p95 4 ms, max 4 ms; 1 timed out');
    expect(formatLatency(summariseLatency([], 2))).to.equal('no public answer timed; 2 timed out');
  });
});
