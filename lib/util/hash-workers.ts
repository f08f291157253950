/**
 * SHA-256 of many files on every core. A fresh runner has no source index, so it hashes the whole
 * collection (2.5 GB for 10,000 covers): on the main thread alone that was the largest part of a
 * no-change build. Each worker reads a file in 1 MB chunks (any size, bounded memory) and hashes it;
 * the caller's pool keeps a few files queued per worker.
 *
 * A file is hashed only if it is still the one the listing saw: opened without blocking (a FIFO swapped in
 * since would otherwise wait forever), a regular file with the listed inode, size and mtime, and read no further
 * than one byte past that size (a file growing without end, or /dev/zero, would never finish).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

// Plain JavaScript run with `eval`, so a worker needs no TypeScript loader.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { closeSync, constants, fstatSync, openSync, readSync } = require('node:fs');
const chunk = Buffer.allocUnsafe(1024 * 1024);
const changed = (why) => Object.assign(new Error('it changed after it was listed (' + why + '): run the build again'), { code: 'ECHANGED' });
function hashListed(path, size, ino, mtimeMs) {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw changed('now not a regular file');
    if (stat.ino !== ino || stat.size !== size || stat.mtimeMs !== mtimeMs) throw changed('another file, or written since');
    const hash = createHash('sha256');
    let bytes = 0;
    for (let n; bytes <= size && (n = readSync(fd, chunk, 0, Math.min(chunk.length, size + 1 - bytes), null)) > 0; bytes += n) {
      hash.update(chunk.subarray(0, n));
    }
    if (bytes !== size) throw changed('its size changed while it was read');
    return { sha256: hash.digest('hex'), bytes };
  } finally {
    closeSync(fd);
  }
}
parentPort.on('message', ({ id, path, size, ino, mtimeMs }) => {
  try {
    parentPort.postMessage({ id, ...hashListed(path, size, ino, mtimeMs) });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error && error.message || error), code: error && error.code } });
  }
});`;

/** What the listing saw of a file: it is hashed only if it is still that file. */
export interface ListedFile { readonly path: string; readonly size: number; readonly ino: number; readonly mtimeMs: number }

type Answer = { id: number; sha256: string; bytes: number } | { id: number; error: { message: string; code?: string } };
interface Pending { worker: number; resolve: (value: { sha256: string; bytes: number }) => void; reject: (error: Error) => void }

export class HashWorkers {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  /** Files in flight per worker: each new one goes to the least busy (sizes differ). */
  private readonly load: number[];
  /** Why the pool can take no more work (a worker died, or it was closed). */
  private broken?: Error;
  private nextId = 0;

  constructor(count = availableParallelism()) {
    this.workers = Array.from({ length: Math.max(1, count) }, () => {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.on('message', (answer: Answer) => this.settle(answer));
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => this.fail(new Error(`a hash worker stopped (exit code ${code})`)));
      return worker;
    });
    this.load = this.workers.map(() => 0);
  }

  /** Files a caller should keep in flight: two per worker, so none waits between files. */
  get capacity(): number {
    return this.workers.length * 2;
  }

  hash(file: ListedFile): Promise<{ sha256: string; bytes: number }> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    const worker = this.load.indexOf(Math.min(...this.load));
    this.load[worker] = (this.load[worker] ?? 0) + 1;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject });
      (this.workers[worker] as Worker).postMessage({ id, path: file.path, size: file.size, ino: file.ino, mtimeMs: file.mtimeMs });
    });
  }

  async close(): Promise<void> {
    this.fail(new Error('hash workers closed'));
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

  /** Every file still waiting fails with `error`, and so does every later one. */
  private fail(error: Error): void {
    this.broken ??= error;
    for (const [id, waiting] of this.pending) {
      this.pending.delete(id);
      waiting.reject(error);
    }
  }
}
