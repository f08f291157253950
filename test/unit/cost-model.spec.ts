import { expect } from 'chai';
import { costModel } from '../../lib/cost/cost-model';
import { formatCost } from '../../lib/cost/format-cost';
import { billable, billAfterAllowance, listPrice } from '../../lib/cost/r2-bill';
import { runAt, storage } from '../helpers/run-record';

const GB = 1e9;
const close = (actual: number, expected: number) => expect(actual).to.be.closeTo(expected, 1e-9);

describe('cost model: R2 cost by month from the run history', () => {
  it('bills nothing at exactly the free allowance, and a whole unit one request or a fifth of a GB over it', async () => {
    const at = { classA: 1_000_000, classB: 10_000_000, gbMonths: 10 };
    expect(billAfterAllowance(at).total).to.equal(0);
    close(listPrice(at).total, 4.5 + 3.6 + 0.15);
    const over = billAfterAllowance({ classA: 1_000_001, classB: 10_000_001, gbMonths: 10.2 });
    close(over.classA, 4.5);
    close(over.classB, 0.36);
    close(over.storage, 0.015);
  });

  it('rounds usage up to the next million requests or GB-month before taking the allowance off', async () => {
    expect(billable(1_500_000, 1_000_000, 1_000_000)).to.equal(1_000_000);
    expect(billable(2_000_000, 1_000_000, 1_000_000)).to.equal(1_000_000);
    expect(billable(2_000_001, 1_000_000, 1_000_000)).to.equal(2_000_000);
    expect(billable(0.4, 10, 1)).to.equal(0);
    expect(billable(11.000000000000002, 10, 1)).to.equal(1);
  });

  it('sums a month\'s operations and prices its storage from the newest listing in or before it', async () => {
    const runs = [
      runAt({ time: '2026-02-03T10:00:00Z', requests: { classA: 900, classB: 100, free: 2 }, storage: storage({ count: 1000, bytes: 2 * GB }, 0.5 * GB) }),
      runAt({ time: '2026-02-20T10:00:00Z', requests: { classA: 100, classB: 50 }, storage: storage({ count: 1000, bytes: 3 * GB }, 1 * GB) }),
      runAt({ time: '2026-03-05T10:00:00Z', requests: { classA: 10 } }),
    ];
    const model = costModel({ runs, environment: 'production', now: new Date('2026-03-11T00:00:00Z') });
    expect(model.lastMonth).to.deep.include({ month: '2026-02', runs: 2, operations: { classA: 1000, classB: 150, free: 2 }, gbMonths: 4 });
    expect(model.lastMonth.storage).to.deep.include({ images: 3, archive: 1, total: 4, imageCount: 1000 });
    close(model.lastMonth.list.total, 4 * 0.015 + 1000 * 4.5e-6 + 150 * 0.36e-6);
    expect(model.lastMonth.bill.total).to.equal(0);
    // March has no listing of its own: February's newest one stands for it.
    expect(model.thisMonth.storage?.measuredAt).to.equal('2026-02-20T10:00:00Z');
    close(model.thisMonth.gbMonths, 4 * 10 / 31);
  });

  it('says "not measured" for months before any listing', async () => {
    const runs = [
      runAt({ time: '2026-01-10T00:00:00Z', requests: { classA: 5 } }),
      runAt({ time: '2026-03-02T00:00:00Z', requests: { classA: 5 }, storage: storage({ count: 10, bytes: GB }) }),
    ];
    const model = costModel({ runs, environment: 'production', now: new Date('2026-03-03T00:00:00Z') });
    expect(model.months.map((m) => [m.month, m.storage?.total ?? null])).to.deep.equal([['2026-01', null], ['2026-02', null], ['2026-03', 1]]);
    expect(model.lastMonth.gbMonths).to.equal(0);
    const none = costModel({ runs: [], environment: 'production', now: new Date('2026-03-03T00:00:00Z') });
    expect(none.projection.storage).to.equal(null);
    expect(formatCost(none)).to.include('not measured');
  });

  it('projects day 1 as 31 days of the first day (at least one day elapsed), storage for the whole month', async () => {
    const runs = [runAt({ time: '2026-03-01T01:00:00Z', requests: { classA: 1000, classB: 10 }, storage: storage({ count: 10, bytes: 2 * GB }) })];
    const model = costModel({ runs, environment: 'production', now: new Date('2026-03-01T06:00:00Z') });
    expect(model.projection.progress).to.deep.equal({ month: '2026-03', daysInMonth: 31, daysElapsed: 1, factor: 31 });
    expect(model.projection.operations).to.deep.equal({ classA: 31_000, classB: 310, free: 0 });
    expect(model.projection.gbMonths).to.equal(2);
    close(model.thisMonth.gbMonths, 2 / 31);
  });

  it('projects day 15 of a 30-day month as twice the month so far', async () => {
    const runs = [runAt({ time: '2026-04-10T00:00:00Z', requests: { classA: 600_000, classB: 500 } })];
    const model = costModel({ runs, environment: 'production', now: new Date('2026-04-16T00:00:00Z') });
    expect(model.projection.progress).to.deep.include({ daysInMonth: 30, daysElapsed: 15, factor: 2 });
    expect(model.projection.operations.classA).to.equal(1_200_000);
    // 1.2M class A: rounded up to 2M, less the 1M allowance: one million billed.
    close(model.projection.bill.classA, 4.5);
    expect(model.thisMonth.bill.classA).to.equal(0);
  });

  it('counts only the environment asked for (builds are the null environment)', async () => {
    const runs = [
      runAt({ time: '2026-03-02T00:00:00Z', environment: 'production', requests: { classA: 7 } }),
      runAt({ time: '2026-03-02T00:00:00Z', environment: 'staging', requests: { classA: 1000 }, storage: storage({ count: 1, bytes: GB }) }),
      runAt({ time: '2026-03-02T00:00:00Z', command: 'build', requests: { classB: 3 } }),
      runAt({ time: '2026-03-20T00:00:00Z', environment: 'production', requests: { classA: 500 } }),
    ];
    const now = new Date('2026-03-10T00:00:00Z');
    const production = costModel({ runs, environment: 'production', now });
    expect(production.thisMonth.operations).to.deep.equal({ classA: 7, classB: 0, free: 0 });
    expect(production.thisMonth.storage).to.equal(null);
    expect(costModel({ runs, environment: 'staging', now }).thisMonth.storage?.total).to.equal(1);
    expect(costModel({ runs, environment: null, now }).thisMonth.operations.classB).to.equal(3);
  });

  it('scales this bucket\'s storage per image to 30,000 images beside the seed\'s $1.21, operations as measured, public reads the seed\'s only', async () => {
    const runs = [
      runAt({ time: '2026-02-10T00:00:00Z', requests: { classA: 9000, classB: 3000 } }),
      runAt({ time: '2026-03-02T00:00:00Z', requests: { classA: 1 }, storage: storage({ count: 3000, bytes: 0.12 * GB }, 0.03 * GB) }),
    ];
    const model = costModel({ runs, environment: 'production', now: new Date('2026-03-04T00:00:00Z') });
    const scaled = model.comparison.scaled!;
    expect(scaled).to.deep.include({ measuredImages: 3000, bytesPerImage: 50_000, opsMonth: '2026-02', opsProjected: false, classA: 9000, classB: 3000 });
    close(scaled.storageGb, 1.5);
    close(scaled.totalUsd, 1.5 * 0.015 + 9000 * 4.5e-6 + 3000 * 0.36e-6);
    const text = formatCost(model);
    expect(text).to.match(/public reads \(seed's figure only\)\s+1,000,000\s+\$0\.36\s+not counted \(CDN\)/);
    expect(text).to.include('$1.21').and.include('never reach the S3 API');
    expect(text).to.match(/2026-02\s+9,000\s+3,000/).and.match(/2026-03 projected/);
  });
});
