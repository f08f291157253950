/**
 * Verify's read-back: deep reads start while the listing is still arriving, and what they find is laid
 * over the listing's judgement. Also the sample (--sample) both --deep and --public read.
 */
import type { DesiredObject } from '../plan/match';
import { dayNumber, sampleKeys } from '../plan/sample';
import type { Finding, RemoteWithTime } from '../plan/verify-plan';
import type { ListedObject, ObjectStore } from '../storage/object-store';
import { createProgress } from '../util/progress';
import { WorkQueue } from '../util/work-queue';
import { deepCheck, type DeepResult } from './deep-check';

/** What the deep and public checks need of verify's options. */
export interface ReadOptions {
  readonly sample?: number;
  readonly day?: number;
  readonly random?: () => number;
  readonly concurrency: number;
  readonly quiet?: boolean;
}

/** The objects --deep and --public read: all, or the --sample slice. */
export function pick(objects: readonly DesiredObject[], options: ReadOptions): DesiredObject[] {
  if (options.sample === undefined) return [...objects];
  return sampleKeys(objects, options.sample, { day: options.day ?? dayNumber(), random: options.random });
}

/**
 * Deep reads start while the listing is still arriving: each listed object the build has (same size)
 * and the sample includes is queued at once, so reading overlaps listing. What the listing alone
 * already finds wrong is reported from the listing; reads only add what it cannot see.
 */
export function startDeep(store: ObjectStore, desired: readonly DesiredObject[], options: ReadOptions) {
  const selected = new Map(pick(desired, options).map((o) => [o.key, o]));
  const queue = new WorkQueue<DesiredObject>();
  const progress = createProgress({ label: 'verify --deep', total: selected.size, unit: 'obj', silent: options.quiet });
  const running = deepCheck(store, queue, { concurrency: options.concurrency, onDone: (bytes) => progress.tick(1, bytes) });
  const onPage = (objects: readonly ListedObject[]) => {
    for (const remote of objects) {
      const local = selected.get(remote.key);
      if (local && local.size === remote.size) queue.push(local);
    }
  };
  const finish = async () => {
    queue.close();
    const result = await running;
    progress.done();
    return result;
  };
  return { onPage, finish };
}

/**
 * Lays deep reads over the listing's judgement: bytes that differ make an object corrupt whatever the
 * listing said. Returns how many objects the listing judged matching that the reads did not confirm.
 */
export function mergeDeep(findings: Finding[], matching: readonly DesiredObject[], deep: DeepResult, remote: readonly ListedObject[]): number {
  const remoteByKey = new Map(remote.map((o) => [o.key, o]));
  const matchingKeys = new Set(matching.map((o) => o.key));
  let unconfirmed = 0;
  for (const p of deep.problems) {
    const existing = findings.findIndex((f) => f.key === p.key);
    if (existing < 0) {
      if (!matchingKeys.has(p.key)) continue;
      unconfirmed += 1;
    } else if (p.kind !== 'different' || findings[existing]?.kind === 'corrupt') {
      continue; // the listing already said as much
    } else {
      findings.splice(existing, 1); // stale headers, and the bytes differ too: corrupt
    }
    if (p.kind === 'unreadable') continue;
    const listed = remoteByKey.get(p.key) as RemoteWithTime;
    findings.push(p.kind === 'different'
      ? { kind: 'corrupt', key: p.key, local: p.local, remote: listed, reason: p.reason, damaged: true }
      : { kind: 'stale-headers', key: p.key, local: p.local, remote: listed, reason: p.reason });
  }
  return unconfirmed;
}
