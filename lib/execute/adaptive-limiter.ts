/**
 * Concurrency that adapts like TCP (AIMD): halves when the store throttles (429/503), grows by one
 * after a run of successes, never above `max` or below 1. Workers numbered at or above the current
 * limit park until it grows again.
 */
export class AdaptiveLimiter {
  private limit: number;
  private successes = 0;

  constructor(readonly max: number) {
    this.limit = max;
  }

  get current(): number {
    return this.limit;
  }

  /** Resolves when worker `index` may take another item. */
  async admit(index: number): Promise<void> {
    while (index >= this.limit) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** The store pushed back: slow down. */
  throttled(): void {
    this.limit = Math.max(1, Math.floor(this.limit / 2));
    this.successes = 0;
  }

  succeeded(): void {
    this.successes += 1;
    if (this.limit < this.max && this.successes >= this.limit) {
      this.limit += 1;
      this.successes = 0;
    }
  }
}
