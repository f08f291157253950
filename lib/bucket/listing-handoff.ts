/**
 * `gulp` (build, sync, verify in one process) reads the bucket once when sync changes nothing in it: the
 * listing and state record sync read are what verify would read a moment later, so verify judges those
 * instead of listing the same pages again (31 requests at 30,000 objects, seconds on R2). Only the
 * pipeline hands a listing on (a library caller or a standalone `gulp verify` always lists), and only
 * once: the first take closes the handoff. It is taken for the same bucket only, while the listing is at
 * most 30 s old counted from when it started, and verify first checks (one HEAD) that the state record
 * is still the one read with it, so a run of this tool that wrote since makes it list afresh. A sync that
 * wrote anything (an image or a record) hands nothing on, and verify's second look after a repair lists.
 */
import type { ListedObject } from '../storage/object-store';
import type { RecordsRead } from './state-record';

/** What sync read of the bucket: every object its listing returned (in scope or not) and the state record. */
export interface BucketRead {
  readonly objects: readonly ListedObject[];
  readonly pages: number;
  readonly state: RecordsRead;
  /** When the listing started (performance.now()): its age counts from then. */
  readonly listedAt: number;
}

const FRESH_FOR_MS = 30_000;

/** How old a read's listing is now, in seconds, counted from when it started. */
export const ageOf = (read: BucketRead): number => (performance.now() - read.listedAt) / 1000;

/** Whether a read is young enough to be judged (asked again where it is judged: the steps before take time). */
export const isFresh = (read: BucketRead): boolean => ageOf(read) * 1000 <= FRESH_FOR_MS;

export class ListingHandoff {
  private held?: { readonly store: string; readonly read: BucketRead };
  private closed = false;

  /** Keeps sync's read of `store` (its description) for the verify after it. */
  handOn(store: string, read: BucketRead): void {
    if (!this.closed) this.held = { store, read };
  }

  /** The read sync handed on for this store (its records verify's own copy), once; undefined when there is none, or it is another store's or stale. */
  take(store: string): BucketRead | undefined {
    const held = this.held;
    this.close();
    if (!held || held.store !== store || !isFresh(held.read)) return undefined;
    const { state } = held.read;
    // Verify adds what its HEADs learn to the records: sync's copy stays as sync read it.
    return { ...held.read, state: { ...state, records: new Map(state.records) } };
  }

  /** Nothing more is handed on or taken (the pipeline's verify took its read, or will not run). */
  close(): void {
    this.closed = true;
    this.held = undefined;
  }
}
