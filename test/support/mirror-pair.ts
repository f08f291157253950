/**
 * Two real stores for mirror drills: a source (s3rver, as the embedded development bucket) and a target
 * (Ceph radosgw, as a backup), each behind its own counting proxy; `mirror` runs the library call.
 */
import { expect } from 'chai';
import { DEFAULT_DELETE_LIMITS } from '../../lib/plan/sync-plan';
import { runMirror, type MirrorOptions, type MirrorOutcome } from '../../lib/mirror/run-mirror';
import type { ObjectStore } from '../../lib/storage/object-store';
import { isReserved } from '../../lib/bucket/object-scope';
import { listAll } from '../../lib/storage/object-store';
import { requireCeph } from '../servers/ceph';
import { SyncHarness } from './sync-harness';

/**
 * Registers a suite's hooks for a fresh pair per test (skipped without Ceph): the source on s3rver, the
 * target on Ceph; `onStart` receives them.
 */
export function useMirrorPair(onStart: (dev: SyncHarness, backup: SyncHarness) => void): void {
  let pair: SyncHarness[] = [];
  before(async function () { await requireCeph(this); });
  beforeEach(async () => {
    pair = [];
    pair.push(await SyncHarness.start('s3rver')); // each closed after the test even when the other failed to start
    pair.push(await SyncHarness.start('ceph'));
    onStart(pair[0] as SyncHarness, pair[1] as SyncHarness);
  });
  afterEach(async () => { for (const h of pair) await h.close(); });
}

/** Runs a mirror from one harness's bucket into another's, through both proxies. */
export function mirrorBetween(from: SyncHarness, to: SyncHarness, options: Partial<MirrorOptions> = {}): Promise<MirrorOutcome> {
  return runMirror(from.store, to.store, {
    source: 'development', environment: 'backup', limits: DEFAULT_DELETE_LIMITS, dryRun: false, concurrency: 4, quiet: true,
    limiter: to.limiter, ...options,
  });
}

/** Every image object (the tool's own prefixes left out) with its bytes and the headers it is served with. */
export async function servedObjects(store: ObjectStore): Promise<Record<string, { body: string; contentType?: string; cacheControl?: string; sha256?: string }>> {
  const out: Record<string, { body: string; contentType?: string; cacheControl?: string; sha256?: string }> = {};
  for (const o of await listAll(store)) {
    if (isReserved(o.key)) continue;
    const { body, head } = await store.get(o.key);
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk);
    out[o.key] = { body: Buffer.concat(chunks).toString('base64'), contentType: head.contentType, cacheControl: head.cacheControl, sha256: head.metadata.sha256 };
  }
  return out;
}

/** The target serves every image of the source byte for byte, with the same Content-Type, Cache-Control and SHA-256. */
export async function expectSameImages(source: SyncHarness, target: SyncHarness): Promise<void> {
  const [want, got] = await Promise.all([servedObjects(source.direct), servedObjects(target.direct)]);
  expect(Object.keys(got).sort()).to.deep.equal(Object.keys(want).sort());
  expect(got).to.deep.equal(want);
}
