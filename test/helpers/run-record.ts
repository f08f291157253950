/** Run records for the cost and alert specs: only what a test names differs from a quiet, successful run. */
import type { HistoryCommand, RunRecord, StorageFigures } from '../../lib/history/types';

let serial = 0;

export interface RunShape extends Partial<Omit<RunRecord, 'requests'>> {
  readonly time: string;
  readonly requests?: Partial<RunRecord['requests']>;
}

/** A run at `time` (sync in production unless told), with the requests given and nothing else. */
export function runAt(shape: RunShape): RunRecord {
  const command: HistoryCommand = shape.command ?? 'sync';
  serial += 1;
  return {
    id: `${shape.time}-${command}-${serial.toString(16).padStart(8, '0')}`,
    command, environment: command === 'build' ? null : 'production', commit: null, durationMs: 1000, ok: true, costUsd: 0,
    ...shape,
    requests: { classA: 0, classB: 0, free: 0, byOperation: {}, ...shape.requests },
  };
}

/** Storage from a full listing: image objects and bytes, archive and record bytes. */
export function storage(images: { count: number; bytes: number }, archiveBytes = 0, recordBytes = 0): StorageFigures {
  return { images, archive: { count: archiveBytes > 0 ? 1 : 0, bytes: archiveBytes }, records: { count: recordBytes > 0 ? 1 : 0, bytes: recordBytes } };
}
