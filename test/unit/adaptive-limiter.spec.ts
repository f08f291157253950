import { expect } from 'chai';
import { AdaptiveLimiter } from '../../lib/execute/adaptive-limiter';

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

  it('parks workers above the current limit until it grows', async () => {
    const limiter = new AdaptiveLimiter(4);
    limiter.throttled(); // 2
    let admitted = false;
    const parked = limiter.admit(3).then(() => { admitted = true; });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(admitted).to.equal(false);
    for (let i = 0; i < 5; i += 1) limiter.succeeded(); // 2 → 3 → 4
    await parked;
    expect(admitted).to.equal(true);
  });
});
