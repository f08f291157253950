/**
 * One writer at a time: a lease on `_state/lock.json`, taken before a run's first write and given back at
 * its end (restic's lock files, on conditional writes). Created with If-None-Match:* and renewed with
 * If-Match on its own ETag, so of two runs exactly one holds it (on stores that enforce conditional
 * writes: R2, S3, Ceph, the embedded bucket).
 *
 * Time is judged on each process's own monotonic clock, never by comparing clocks: a waiter calls a lock
 * stale when it has seen the same lock unchanged for a lease (or the store dates it older than a lease
 * plus the 15 minutes of skew SigV4 allows), and a holder stops writing once a lease has passed since the
 * last renewal it sent that landed (its fence) — so by the time a waiter takes over, the old holder has
 * stopped, even one paused (SIGSTOP) and resumed. A lock held by a process that is gone from this very
 * machine (same host, boot and pid namespace: a `kill -9`) is taken over at once.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { AssetsError } from '../errors';
import { jsonEtag, putJsonObject, readObjectText, RecordTooLargeError } from '../storage/json-object';
import type { ObjectHead, ObjectStore } from '../storage/object-store';
import { isPreconditionFailed } from '../storage/store-error';
import { printable } from '../util/printable';
import { describeHolder, parseLock, type LockRecord } from './lock-record';
import { STATE_PREFIX } from './state-record';

export type { LockRecord } from './lock-record';
export const LOCK_KEY = `${STATE_PREFIX}lock.json`;
/** SigV4 refuses a request signed more than 15 minutes off the store's clock: no client is further off. */
const MAX_SKEW_MS = 15 * 60_000;

/** How long a lease lasts unrenewed (ASSETS_LOCK_LEASE_MS overrides the 60 s default: tests shorten it). */
export function leaseMs(): number {
  const set = Number(process.env.ASSETS_LOCK_LEASE_MS);
  return Number.isFinite(set) && set > 0 ? set : 60_000;
}

export class LockedError extends AssetsError {
  constructor(holder: LockRecord | undefined) {
    super('E_LOCKED', `another run is writing to this bucket: ${describeHolder(holder)}`, {
      hint: `nothing was written; run the command again when it has finished (a lock whose holder stopped renewing it is taken over after its lease; \`${LOCK_KEY}\` in the bucket is the lock)`,
    });
  }
}

/** What a run that lost its lock stops with: it writes nothing more (not even its records). */
export function lockLost(why: string): AssetsError {
  return new AssetsError('E_LOCK_LOST', `this run lost its writer lock (${why}): it wrote nothing more`,
    { hint: 'the run that holds the lock now records what the bucket holds; run this command again afterwards' });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.now();

/** This machine as a pid names it: boot and pid namespace (Linux); undefined elsewhere (no takeover by pid). */
const MACHINE = ((): string | undefined => {
  try { return `${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}/${readlinkSync('/proc/self/ns/pid')}`; } catch { return undefined; }
})();

/** The runs of this process that hold (or are taking) a lock. */
const liveRuns = new Set<string>();

/** Whether the holder is certainly dead: a process gone from this machine, or an ended run of this process. */
function deadHere(holder: LockRecord): boolean {
  if (holder.host !== hostname() || !MACHINE || holder.machine !== MACHINE) return false;
  if (holder.pid === process.pid) return !liveRuns.has(holder.run);
  try { process.kill(holder.pid, 0); return false; } catch (error) { return (error as NodeJS.ErrnoException).code === 'ESRCH'; }
}

/** A lock nobody holds any more, judged without watching it: its holder gone from this machine, or older than any clock can be off. */
function leftBehind(holder: LockRecord | undefined, lastModified: Date): boolean {
  return (holder !== undefined && deadHere(holder)) || Date.now() - lastModified.getTime() > leaseMs() + MAX_SKEW_MS;
}

/**
 * Replaces the lock if it is still `etag`; the new ETag, or undefined when someone else moved it. A 412
 * whose lock is ours (an answer lost, the PUT retried) or still `etag` (a store that answers 412 to
 * If-Match writes it should accept, as Ceph 16 does on versioned buckets) is not a conflict.
 */
async function replaceIfUnchanged(store: ObjectStore, record: LockRecord, etag: string): Promise<string | undefined> {
  try {
    return (await putJsonObject(store, LOCK_KEY, record, { ifMatch: etag })).etag;
  } catch (error) {
    if (!isPreconditionFailed(error)) throw error;
    const current = (await store.head(LOCK_KEY))?.etag;
    const mine = jsonEtag(record);
    if (current === mine) return mine;
    if (current !== etag) return undefined;
    return putJsonObject(store, LOCK_KEY, record).then((written) => written.etag, (again: unknown) => {
      if (isPreconditionFailed(again)) return undefined; // a store refusing even that: not ours
      throw again;
    });
  }
}

/** The lock's text; one too big to be a lock reads as nothing (an unknown holder, taken over like any lock that stops changing). */
async function readLockText(store: ObjectStore): Promise<{ text: string; head: ObjectHead } | undefined> {
  return readObjectText(store, LOCK_KEY, 64 * 1024).catch((error: unknown) => {
    if (error instanceof RecordTooLargeError) return { text: '', head: error.head };
    throw error;
  });
}

/** Who holds the writer lock now, as read-only commands say it ("a run is writing"); undefined when nobody does. */
export async function currentWriter(store: ObjectStore): Promise<string | undefined> {
  const read = await readLockText(store).catch(() => undefined);
  if (!read) return undefined;
  const holder = parseLock(read.text);
  if (leftBehind(holder, read.head.lastModified)) return undefined;
  return `${describeHolder(holder)} holds the bucket's writer lock (last renewed ${read.head.lastModified.toISOString()})`;
}

export class WriterLock {
  private timer?: NodeJS.Timeout;
  private lost?: AssetsError;
  private released = false;

  private constructor(
    private readonly store: ObjectStore, private record: LockRecord, private etag: string,
    /** Until when (monotonic) writing is safe: a lease after the last renewal sent that landed. */
    private validUntil: number, readonly tookOver?: LockRecord | 'unreadable',
  ) {}

  /** Takes the lock, waiting while a live run holds it (up to one lease and a half); `onWait` says who is waited for. */
  static async acquire(store: ObjectStore, command: string, onWait?: (holder: LockRecord | undefined) => void): Promise<WriterLock> {
    const lease = leaseMs();
    const at = new Date().toISOString();
    const record: LockRecord = { run: randomBytes(6).toString('hex'), command, host: hostname(), machine: MACHINE, pid: process.pid, startedAt: at, renewedAt: at };
    liveRuns.add(record.run);
    const giveUp = now() + lease * 1.5 + 1000;
    let seen: { etag: string; since: number } | undefined;
    let holder: LockRecord | undefined;
    try {
      for (;;) {
        const sent = now();
        try {
          return WriterLock.held(store, record, (await putJsonObject(store, LOCK_KEY, record, { ifNoneMatch: '*' })).etag, sent);
        } catch (error) {
          if (!isPreconditionFailed(error)) throw error;
        }
        const read = await readLockText(store);
        if (read) {
          holder = parseLock(read.text);
          // Our own create, landed with its answer lost and retried into a 412: the lock is ours.
          if (holder?.run === record.run) return WriterLock.held(store, record, read.head.etag, sent);
          if (seen?.etag !== read.head.etag) seen = { etag: read.head.etag, since: now() };
          const stale = now() - seen.since > lease + 1000 || leftBehind(holder, read.head.lastModified);
          if (stale) {
            const taken = await replaceIfUnchanged(store, record, read.head.etag);
            if (taken) return WriterLock.held(store, record, taken, sent, holder ?? 'unreadable');
          } else {
            onWait?.(holder);
          }
        }
        if (now() > giveUp) throw new LockedError(holder);
        await sleep(read ? Math.min(2000, lease / 4) : 50);
      }
    } catch (error) {
      liveRuns.delete(record.run);
      throw error;
    }
  }

  private static held(store: ObjectStore, record: LockRecord, etag: string, sent: number, tookOver?: LockRecord | 'unreadable'): WriterLock {
    const lock = new WriterLock(store, record, etag, sent + leaseMs(), tookOver);
    lock.schedule();
    return lock;
  }

  /** True once the lock is lost or its lease has run out unrenewed: checked before every write. */
  get aborted(): boolean {
    if (!this.lost && now() > this.validUntil) this.lost = lockLost('its lease ran out before a renewal landed: the run was paused or the store was unreachable');
    return this.lost !== undefined;
  }

  get reason(): AssetsError | undefined {
    return this.aborted ? this.lost : undefined;
  }

  /** Renewals one after another, never two at once: an overlapping renewal would meet the other's write. */
  private schedule(): void {
    if (this.released || this.lost) return;
    this.timer = setTimeout(() => { void this.renew().finally(() => this.schedule()); }, leaseMs() / 4);
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    if (this.aborted) return;
    const record = { ...this.record, renewedAt: new Date().toISOString() };
    const sent = now();
    try {
      const etag = await replaceIfUnchanged(this.store, record, this.etag);
      if (!etag) { this.lost ??= lockLost('another run took it over'); return; }
      this.etag = etag;
      this.record = record;
      this.validUntil = sent + leaseMs();
    } catch {
      // Not renewed this time (the store did not answer): the fence stops the writing if no renewal lands in time.
    }
  }

  /** Gives the lock back (only if it is still ours). */
  async release(): Promise<void> {
    this.released = true;
    clearTimeout(this.timer);
    liveRuns.delete(this.record.run);
    if (this.lost) return;
    // Not given back, the lock runs out with its lease, and the next run waits that long: say so.
    const notGivenBack = (why: string) => process.stderr.write(`note: the writer lock could not be given back (${printable(why)}); `
      + `it runs out ${Math.round(leaseMs() / 1000)} s after its last renewal, and a run started before then waits for it\n`);
    const head = await this.store.head(LOCK_KEY).catch((error: unknown) => error as Error);
    if (head instanceof Error) { notGivenBack(head.message); return; }
    if (head?.etag !== this.etag) return;
    const { failed } = await this.store.deleteMany([LOCK_KEY]);
    if (failed[0]) notGivenBack(failed[0].reason);
  }
}
