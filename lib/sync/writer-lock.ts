/**
 * One writer at a time: a lease on `_state/lock.json`, taken before a run's first write and given back at
 * its end (restic's lock files, on conditional writes). Created with If-None-Match:* and renewed with
 * If-Match on its own ETag, so of two runs exactly one holds it (on stores that enforce conditional
 * writes: R2, S3, Ceph, the embedded bucket). A run that finds it held waits for it; a lock whose holder
 * stopped renewing it (the lease ran out) or is a dead process on this same host is taken over — and the
 * new holder knows a run died mid-write. A holder whose renewal finds the lock taken stops its work.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AssetsError } from '../errors';
import { putJsonObject, readObjectText } from '../storage/json-object';
import type { ObjectStore } from '../storage/object-store';
import { md5Of } from '../util/hash';
import { STATE_PREFIX } from './state-record';

export const LOCK_KEY = `${STATE_PREFIX}lock.json`;

export interface LockRecord {
  readonly run: string;
  readonly command: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly renewedAt: string;
}

/** How long a lease lasts unrenewed (ASSETS_LOCK_LEASE_MS overrides the 60 s default: tests shorten it). */
export function leaseMs(): number {
  const set = Number(process.env.ASSETS_LOCK_LEASE_MS);
  return Number.isFinite(set) && set > 0 ? set : 60_000;
}

export class LockedError extends AssetsError {
  constructor(holder: LockRecord) {
    super('E_LOCKED', `another run is writing to this bucket: \`gulp ${holder.command}\` (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt})`,
      { hint: 'nothing was written; run the command again when it has finished (a run that was killed loses its lock when its lease runs out)' });
  }
}

function isStatus(error: unknown, status: number): boolean {
  return (error as { status?: number }).status === status;
}

/** The runs of this process that hold (or are taking) a lock. */
const liveRuns = new Set<string>();

/**
 * Whether the holder is certainly dead: a process on this host that no longer exists (killed), or a run
 * of this very process that has ended without giving the lock back. Its lock can be taken at once.
 */
function deadHere(holder: LockRecord): boolean {
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return !liveRuns.has(holder.run);
  try { process.kill(holder.pid, 0); return false; } catch (error) { return (error as NodeJS.ErrnoException).code === 'ESRCH'; }
}

export class WriterLock {
  /** Aborted when a renewal finds the lock taken over: the work must stop. */
  readonly signal: AbortSignal;
  private readonly abort = new AbortController();
  private timer?: NodeJS.Timeout;
  private renewed = Date.now();

  private constructor(private readonly store: ObjectStore, private record: LockRecord, private etag: string, readonly tookOver?: LockRecord) {
    this.signal = this.abort.signal;
  }

  /** Takes the lock, waiting while a live run holds it (up to one lease and a half); `onWait` says who is waited for. */
  static async acquire(store: ObjectStore, command: string, onWait?: (holder: LockRecord) => void): Promise<WriterLock> {
    const lease = leaseMs();
    const now = new Date().toISOString();
    const record: LockRecord = { run: randomBytes(6).toString('hex'), command, host: hostname(), pid: process.pid, startedAt: now, renewedAt: now };
    const giveUp = Date.now() + lease * 1.5 + 1000;
    for (;;) {
      try {
        return WriterLock.held(store, record, (await putJsonObject(store, LOCK_KEY, record, { ifNoneMatch: '*' })).etag);
      } catch (error) {
        if (!isStatus(error, 412)) throw error;
      }
      const read = await readObjectText(store, LOCK_KEY);
      if (!read) continue; // given back meanwhile
      const holder = JSON.parse(read.text) as LockRecord;
      // Last-Modified is the store's clock, to the second: a second's slack, so a renewed lock never looks old.
      const stale = Date.now() - read.head.lastModified.getTime() > lease + 1000 || deadHere(holder);
      if (stale) {
        const taken = await putJsonObject(store, LOCK_KEY, record, { ifMatch: read.head.etag }).catch((error: unknown) => {
          if (isStatus(error, 412)) return undefined; // someone else took it first
          throw error;
        });
        if (taken) return WriterLock.held(store, record, taken.etag, holder);
        continue;
      }
      if (Date.now() > giveUp) throw new LockedError(holder);
      onWait?.(holder);
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, lease / 4)));
    }
  }

  private static held(store: ObjectStore, record: LockRecord, etag: string, tookOver?: LockRecord): WriterLock {
    liveRuns.add(record.run);
    const lock = new WriterLock(store, record, etag, tookOver);
    lock.timer = setInterval(() => { void lock.renew(); }, leaseMs() / 4);
    lock.timer.unref();
    return lock;
  }

  private async renew(): Promise<void> {
    const record = { ...this.record, renewedAt: new Date().toISOString() };
    try {
      this.etag = (await putJsonObject(this.store, LOCK_KEY, record, { ifMatch: this.etag })).etag;
      this.record = record;
      this.renewed = Date.now();
    } catch (error) {
      const ours = isStatus(error, 412) && (await this.store.head(LOCK_KEY).catch(() => null))?.etag === md5Of(Buffer.from(JSON.stringify(record)));
      if (ours) { this.record = record; this.renewed = Date.now(); return; } // our renewal landed; its answer was lost
      if (isStatus(error, 412) || Date.now() - this.renewed > leaseMs()) {
        this.abort.abort(new AssetsError('E_LOCK_LOST', 'this run lost its lock on the bucket (another run took it over): it stopped starting new work',
          { hint: 'the other run records what the bucket holds; run this command again afterwards' }));
      }
    }
  }

  /** Gives the lock back (only if it is still ours). */
  async release(): Promise<void> {
    clearInterval(this.timer);
    liveRuns.delete(this.record.run);
    if (this.signal.aborted) return;
    if ((await this.store.head(LOCK_KEY).catch(() => null))?.etag === this.etag) await this.store.deleteMany([LOCK_KEY]);
  }
}
