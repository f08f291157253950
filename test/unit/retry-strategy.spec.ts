import { expect } from 'chai';
import { jitteredRetryStrategy, MAX_RETRY_DELAY_MS } from '../../lib/storage/s3-client';
import { retryAfterHint } from '../../lib/storage/s3-fetch-reader';

describe('jitteredRetryStrategy', () => {
  const retry = async (hintMs?: number, errorType: 'THROTTLING' | 'SERVER_ERROR' = 'THROTTLING') => {
    const strategy = jitteredRetryStrategy();
    const first = await strategy.acquireInitialRetryToken('s3');
    const info = { errorType, ...(hintMs === undefined ? {} : { retryAfterHint: new Date(Date.now() + hintMs) }) };
    return (await strategy.refreshRetryTokenForRetry(first, info as never)).getRetryDelay();
  };

  it('honours Retry-After, up to the cap: a store asking for an hour does not park the run for one', async () => {
    expect(await retry(3_000)).to.be.within(2_900, 3_000);
    expect(await retry(3_600_000)).to.be.at.most(MAX_RETRY_DELAY_MS);
    expect(MAX_RETRY_DELAY_MS).to.equal(20_000);
  });

  it('backs off with jitter below the cap without a hint, and gives up after the last attempt', async () => {
    expect(await retry(undefined, 'SERVER_ERROR')).to.be.within(0, 200);
    const strategy = jitteredRetryStrategy({ maxAttempts: 2 });
    const token = await strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken('s3'), { errorType: 'TRANSIENT' } as never);
    let error: unknown;
    await strategy.refreshRetryTokenForRetry(token, { errorType: 'TRANSIENT', error: new Error('gone') } as never).catch((e: unknown) => { error = e; });
    expect(String(error)).to.match(/gone/);
  });

  it('does not retry a 501 Not Implemented: the store will not implement the call on the next attempt', async () => {
    const strategy = jitteredRetryStrategy();
    const notImplemented = Object.assign(new Error('NotImplemented'), { $metadata: { httpStatusCode: 501 } });
    let error: unknown;
    await strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken('s3'), { errorType: 'SERVER_ERROR', error: notImplemented } as never)
      .catch((e: unknown) => { error = e; });
    expect(error).to.equal(notImplemented);
  });
});

describe('retryAfterHint (the lean reader reads Retry-After itself)', () => {
  const now = Date.parse('2026-12-02T07:00:00Z');
  it('reads seconds and HTTP dates, and ignores what it cannot read', async () => {
    expect(retryAfterHint('7', now)?.getTime()).to.equal(now + 7000);
    expect(retryAfterHint(' 0 ', now)?.getTime()).to.equal(now);
    expect(retryAfterHint('Wed, 02 Dec 2026 07:00:30 GMT', now)?.getTime()).to.equal(now + 30_000);
    expect(retryAfterHint(null, now)).to.equal(undefined);
    expect(retryAfterHint('soon', now)).to.equal(undefined);
    expect(retryAfterHint('-5', now)).to.equal(undefined);
    // Found by trying to break [05/10]: a huge value made an invalid date, a NaN delay, and retries with no pause.
    expect(retryAfterHint('100000000000000000000', now)).to.equal(undefined);
  });

  it('an unreadable hint leaves the backoff as it is', async () => {
    const strategy = jitteredRetryStrategy({ backoffBase: 100 });
    const token = await strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken('s3'), { errorType: 'THROTTLING', retryAfterHint: new Date(NaN) } as never);
    expect(Number.isFinite(token.getRetryDelay())).to.equal(true);
  });
});
