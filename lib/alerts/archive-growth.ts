/**
 * archive-growth: over the window, the archive (`_archive/`) grew more than archiveGrowthRatio × what the
 * images grew. Judged from two full listings in the window (the oldest and the newest), not from the runs'
 * archive.added/removed: a listing measures what the bucket holds, whatever wrote or deleted it (a run that
 * died before its record, a lifecycle rule, a prune by hand), where summing runs would drift from it.
 */
import type { Alert, AlertThresholds, RunRecord, StorageFigures } from '../history/types';
import { bytes } from './alert-text';

const DAY_MS = 86_400_000;
/**
 * Replacing covers archives their old bytes, so the archive outgrows the images after any month of
 * replacements: that is news only once the archive is a real share of the bucket, judged over at least a day.
 */
export const ARCHIVE_FLOOR_SHARE = 0.1;
const MIN_SPAN_MS = DAY_MS;

/** The alert, when the window holds two listings and the archive outgrew the images between them. */
export function archiveGrowth(runs: readonly RunRecord[], thresholds: AlertThresholds, environment: string | null, now: Date): Alert[] {
  const from = now.getTime() - thresholds.archiveWindowDays * DAY_MS;
  const points = runs
    .filter((r): r is RunRecord & { storage: StorageFigures } => r.storage !== undefined)
    .filter((r) => Date.parse(r.time) >= from && Date.parse(r.time) <= now.getTime())
    .sort((a, b) => a.time.localeCompare(b.time));
  if (points.length < 2) return [];
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const archive = last.storage.archive.bytes - first.storage.archive.bytes;
  // Images shrinking is no licence for the archive to grow: it counts as no growth.
  const images = Math.max(0, last.storage.images.bytes - first.storage.images.bytes);
  if (archive <= 0 || !(archive > thresholds.archiveGrowthRatio * images)) return [];
  if (last.storage.archive.bytes < ARCHIVE_FLOOR_SHARE * last.storage.images.bytes) return [];
  if (Date.parse(last.time) - Date.parse(first.time) < MIN_SPAN_MS) return [];
  return [{
    kind: 'archive-growth', severity: 'warning', environment, run: last.id,
    message: `the archive grew ${bytes(archive)} from ${first.time.slice(0, 10)} to ${last.time.slice(0, 10)} (window ${thresholds.archiveWindowDays} days), `
      + `over ${thresholds.archiveGrowthRatio} × the images' growth of ${bytes(images)} (archive now ${bytes(last.storage.archive.bytes)})`,
    hint: 'gulp prune --keep <n> removes the releases older than the newest n and the archived copies only they needed',
  }];
}
