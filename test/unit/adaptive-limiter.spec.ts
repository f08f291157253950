import { expect } from 'chai';
import fc from 'fast-check';
import { AdaptiveLimiter } from '../../lib/execute/adaptive-limiter';
import { applyPlan } from '../../lib/execute/apply-plan';
import type { SyncPlan } from '../../lib/plan/sync-plan';
import type { ObjectStore } from '../../lib/storage/object-store';
import { digestsOf } from '../../lib/util/hash';
import { withDeadline } from '../helpers/deadline';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A plan of `n` uploads of tiny bodies, and a store whose PUTs call `onPut` (which may throttle the limiter). */
function uploads(n: number, onPut: (index: number) => Promise<void>) {
  const bodies = Array.from({ length: n }, (_, i) => Buffer.from(`body ${i}`));
  const plan: SyncPlan = {
    actions: bodies.map((body, i) => ({
      kind: 'create' as const, key: `album/a${i}/a${i}-small.jpg`,
      local: { key: `album/a${i}/a${i}-small.jpg`, ...digestsOf(body), size: body.length, contentType: 'image/jpeg', cacheControl: 'x' },
    })),
    keep: 0, inspect: [], extras: [], remoteCount: 0,
  };
  let puts = 0;
  const store = {
    put: async (request: { md5: string }) => { await onPut(puts++); return { etag: request.md5 }; },
  } as unknown as ObjectStore;
  const readBody = async (o: { key: string }) => bodies[Number(/a(\d+)\//.exec(o.key)?.[1])] as Buffer;
  return { plan, store, readBody };
}

describe('AdaptiveLimiter', () => {
  it('halves on throttling, never below 1, and grows back by one after a run of successes', async () => {
    const limiter = new AdaptiveLimiter(16);
    limiter.throttled();
    expect(limiter.current).to.equal(8);
    for (let i = 0; i < 10; i += 1) limiter.throttled();
    expect(limiter.current).to.equal(1);
    limiter.succeeded();
    expect(limiter.current).to.equal(2);
    for (let i = 0; i < 2; i += 1) limiter.succeeded();
    expect(limiter.current).to.equal(3);
    for (let i = 0; i < 1000; i += 1) limiter.succeeded();
    expect(limiter.current).to.equal(16);
  });

  it('holds a caller while the limit is taken, and hands it the slot when one is released or the limit grows', async () => {
    const limiter = new AdaptiveLimiter(4);
    limiter.throttled(); // 2
    await limiter.acquire();
    await limiter.acquire();
    let admitted = false;
    const held = limiter.acquire().then(() => { admitted = true; });
    await tick(20);
    expect(admitted).to.equal(false);
    limiter.release();
    await held;
    expect(admitted).to.equal(true);
    expect(limiter.active).to.equal(2);
  });

  // Finding 1 of [05/10]: one 503 on the first PUT halved the limit; the phase then ran out of work
  // before any success grew it back, and the workers parked above the limit never returned.
  it('a throttle early in a phase does not park work forever: the executor settles', async () => {
    const limiter = new AdaptiveLimiter(16);
    const { plan, store, readBody } = uploads(64, async (i) => { if (i === 0) limiter.throttled(); await tick(1); });
    const result = await withDeadline(applyPlan(plan, store, { concurrency: 16, limiter, readBody }), 5000, 'applyPlan after one throttle');
    expect(result.completed.create).to.equal(64);
    expect(result.failures).to.deep.equal([]);
  });

  it('never hangs and never exceeds its limit, whatever the schedule of throttles, successes and request times (generated)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 16 }),
      fc.array(fc.record({ ms: fc.integer({ min: 0, max: 3 }), throttle: fc.boolean(), fail: fc.boolean() }), { minLength: 1, maxLength: 60 }),
      async (max, schedule) => {
        const limiter = new AdaptiveLimiter(max);
        let peak = 0;
        const { plan, store, readBody } = uploads(schedule.length, async (i) => {
          peak = Math.max(peak, limiter.active);
          const step = schedule[i % schedule.length] as (typeof schedule)[number];
          if (step.throttle) limiter.throttled();
          await tick(step.ms);
          if (step.fail) throw new Error('injected');
        });
        const result = await withDeadline(applyPlan(plan, store, { concurrency: max, limiter, readBody, failureThreshold: 1 }), 5000, 'applyPlan');
        expect(result.completed.create + result.failures.length).to.equal(schedule.length);
        expect(peak).to.be.at.most(max);
        expect(limiter.active).to.equal(0);
      },
    ), { numRuns: 150 });
  });
});
