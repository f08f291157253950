/**
 * SHA-256 of many files on every core. A fresh runner has no source index, so it hashes the whole
 * collection (2.5 GB for 10,000 covers): on the main thread alone that was the largest part of a
 * no-change build. Each worker reads a file in 1 MB chunks (any size, bounded memory) and hashes it;
 * the caller's pool keeps a few files queued per worker.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

// Plain JavaScript run with `eval`, so a worker needs no TypeScript loader.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { closeSync, openSync, readSync } = require('node:fs');
const chunk = Buffer.allocUnsafe(1024 * 1024);
parentPort.on('message', ({ id, path }) => {
  let fd;
  try {
    fd = openSync(path, 'r');
    const hash = createHash('sha256');
    let bytes = 0;
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; bytes += n) hash.update(chunk.subarray(0, n));
    parentPort.postMessage({ id, sha256: hash.digest('hex'), bytes });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error && error.message || error), code: error && error.code } });
  } finally {
    if (fd !== undefined) try { closeSync(fd); } catch {}
  }
});`;

type Answer = { id: number; sha256: string; bytes: number } | { id: number; error: { message: string; code?: string } };
interface Pending { worker: number; resolve: (value: { sha256: string; bytes: number }) => void; reject: (error: Error) => void }

export class HashWorkers {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  /** Files in flight per worker: each new one goes to the least busy (sizes differ). */
  private readonly load: number[];
  private nextId = 0;

  constructor(count = availableParallelism()) {
    this.workers = Array.from({ length: Math.max(1, count) }, () => {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.on('message', (answer: Answer) => this.settle(answer));
      worker.on('error', (error) => this.failAll(error));
      return worker;
    });
    this.load = this.workers.map(() => 0);
  }

  /** Files a caller should keep in flight: two per worker, so none waits between files. */
  get capacity(): number {
    return this.workers.length * 2;
  }

  hash(path: string): Promise<{ sha256: string; bytes: number }> {
    const id = this.nextId++;
    const worker = this.load.indexOf(Math.min(...this.load));
    this.load[worker] = (this.load[worker] ?? 0) + 1;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject });
      (this.workers[worker] as Worker).postMessage({ id, path });
    });
  }

  async close(): Promise<void> {
    this.failAll(new Error('hash workers closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private settle(answer: Answer): void {
    const waiting = this.pending.get(answer.id);
    if (!waiting) return;
    this.pending.delete(answer.id);
    this.load[waiting.worker] = (this.load[waiting.worker] ?? 1) - 1;
    if ('error' in answer) waiting.reject(Object.assign(new Error(answer.error.message), { code: answer.error.code }));
    else waiting.resolve({ sha256: answer.sha256, bytes: answer.bytes });
  }

  private failAll(error: Error): void {
    for (const [id, waiting] of this.pending) {
      this.pending.delete(id);
      waiting.reject(error);
    }
  }
}
