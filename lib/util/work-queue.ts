/** A queue that a bounded set of workers drains while a producer is still adding to it. */
export class WorkQueue<T> {
  private readonly items: T[] = [];
  private next = 0;
  private closed = false;
  private waiting: (() => void)[] = [];

  push(...items: T[]): void {
    this.items.push(...items);
    this.wake();
  }

  /** No more items will come: workers finish what is queued, then return. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  async run(limit: number, fn: (item: T) => Promise<void>): Promise<void> {
    const worker = async (): Promise<void> => {
      for (;;) {
        if (this.next < this.items.length) { await fn(this.items[this.next++] as T); continue; }
        if (this.closed) return;
        await new Promise<void>((resolve) => this.waiting.push(resolve));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}
