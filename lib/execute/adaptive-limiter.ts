/**
 * Concurrency that adapts like TCP (AIMD): halves when the store throttles (429/503), grows by one
 * after a run of successes, never above `max` or below 1.
 *
 * A counting semaphore whose size moves: a caller waits only while `inFlight >= limit`, and a slot is
 * handed to the next waiter whenever one is released or the limit grows. So whenever anyone waits,
 * at least one request is in flight and will release its slot: the limiter cannot park work forever
 * (the earlier worker-index design did, once a phase ran out of work after a throttle).
 */
export class AdaptiveLimiter {
  private limit: number;
  private inFlight = 0;
  private successes = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {
    this.limit = Math.max(1, Math.floor(max));
  }

  /** The current limit. */
  get current(): number {
    return this.limit;
  }

  /** Requests holding a slot now. */
  get active(): number {
    return this.inFlight;
  }

  /** Resolves once a slot is free; the caller must `release()` it exactly once. */
  acquire(): Promise<void> {
    if (this.inFlight < this.limit) {
      this.inFlight += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.wake();
  }

  /** Runs `work` in a slot, releasing it however `work` ends. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /** The store pushed back: slow down. Requests already in flight finish; no new one starts above the limit. */
  throttled(): void {
    this.limit = Math.max(1, Math.floor(this.limit / 2));
    this.successes = 0;
  }

  succeeded(): void {
    this.successes += 1;
    if (this.limit < this.max && this.successes >= this.limit) {
      this.limit += 1;
      this.successes = 0;
      this.wake();
    }
  }

  private wake(): void {
    while (this.waiting.length > 0 && this.inFlight < this.limit) {
      this.inFlight += 1;
      (this.waiting.shift() as () => void)();
    }
  }
}
