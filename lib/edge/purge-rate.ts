/**
 * Cloudflare's purge rate limits and a token bucket that keeps to them. The limits are per account, so
 * another tool purging the same account can still drain the real bucket: a 429 empties ours too.
 */
import type { CdnPlan } from '../config/edge-policy';

/** Requests a second on average, and how many may go at once from a full bucket. */
export interface PurgeRate {
  readonly perSecond: number;
  readonly burst: number;
}

/** Cloudflare's documented purge limits (2026): Free 5 a minute, bucket 25; Pro 5/s, 25; Business 10/s, 50; Enterprise 50/s, 500. */
export const PURGE_RATES: Readonly<Record<CdnPlan, PurgeRate>> = {
  free: { perSecond: 5 / 60, burst: 25 },
  pro: { perSecond: 5, burst: 25 },
  business: { perSecond: 10, burst: 50 },
  enterprise: { perSecond: 50, burst: 500 },
};

export type Sleep = (ms: number) => Promise<void>;
export type Clock = () => number;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// 5 a minute is 12000.000000000002 ms a token in floating point: without slack a wait of exactly that
// would leave 0.9999999999999999 tokens and wait again.
const SLACK = 1e-9;

/** A token bucket on an injected clock: starts full; `take()` resolves once a request may be sent. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly msPerToken: number;

  constructor(private readonly rate: PurgeRate, private readonly now: Clock, private readonly sleep: Sleep) {
    if (!(rate.perSecond > 0) || !(rate.burst >= 1)) throw new TypeError(`purge rate ${JSON.stringify(rate)} needs perSecond > 0 and burst ≥ 1`);
    this.msPerToken = 1000 / rate.perSecond;
    this.tokens = rate.burst;
    this.last = now();
  }

  /** Milliseconds between requests once the burst is spent. */
  get interval(): number {
    return this.msPerToken;
  }

  async take(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1 - SLACK) {
        this.tokens = Math.max(0, this.tokens - 1);
        return;
      }
      await this.sleep((1 - this.tokens) * this.msPerToken);
    }
  }

  /** The server said the account's bucket is empty: send nothing more until it refills. */
  drain(): void {
    this.refill();
    this.tokens = 0;
  }

  private refill(): void {
    const at = this.now();
    this.tokens = Math.min(this.rate.burst, this.tokens + Math.max(0, at - this.last) / this.msPerToken);
    this.last = at;
  }
}
