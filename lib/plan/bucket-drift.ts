/**
 * Pure: whether the bucket changed after the state record was written, by what the listing alone shows.
 * The record holds each object's ETag as the last writer left it, so an object listed with another ETag,
 * a recorded object no longer listed, an object the build wants that the record does not know, or one
 * modified in a later second than the record, were all written by someone after that writer: a run that
 * overlapped it or was killed, or damage behind the tool's back. The latest release may not describe
 * such a bucket, so the next writer records what it finds.
 */
import { currentRecord, type RecordedObject } from './match';
import type { RemoteWithTime } from './verify-plan';

export interface DriftInput {
  /** The listing, in scope. */
  readonly remote: readonly RemoteWithTime[];
  readonly records: ReadonlyMap<string, RecordedObject>;
  /** When the record was written (the store's clock); undefined when there is none. */
  readonly recordedAt?: Date;
  /** Keys the run wants in the bucket. */
  readonly wanted: ReadonlySet<string>;
  readonly inScope: (key: string) => boolean;
}

const second = (at: Date) => Math.floor(at.getTime() / 1000);

/** Why the bucket changed since its state record (the first key that shows it), or undefined. */
export function changedSinceRecord(input: DriftInput): string | undefined {
  if (!input.recordedAt) return undefined; // no record: the writer publishes anyway
  const listed = new Set<string>();
  for (const remote of input.remote) {
    listed.add(remote.key);
    const recorded = input.records.get(remote.key);
    if (recorded && !currentRecord(remote, recorded)) return `${remote.key} was replaced after the last run recorded it`;
    if (!recorded && input.wanted.has(remote.key)) return `${remote.key} was written after the last run's record`;
    if (recorded && second(remote.lastModified) > second(input.recordedAt)) return `${remote.key} was modified after the last run's record`;
  }
  for (const key of input.records.keys()) {
    if (input.inScope(key) && !listed.has(key)) return `${key} was deleted after the last run recorded it`;
  }
  return undefined;
}
