import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { releaseIds, readLatest, readRelease } from '../../lib/releases/release-store';
import { runPrune } from '../../lib/releases/run-prune';
import { runRollback } from '../../lib/restore/run-rollback';
import { runSync } from '../../lib/sync/run-sync';
import { readSyncState } from '../../lib/bucket/state-record';
import { differencesFromRelease, latestRelease, restorability } from '../support/bucket-checks';
import { gatedStore } from '../support/gated-store';
import type { ObjectStore } from '../../lib/storage/object-store';
import { CACHE, SyncHarness, usePublished } from '../support/sync-harness';

// Found by trying to break [05/10]'s write path (the attacker's report): runs that overlap, runs limited
// to a scope after a stopped run, and a prune racing writers. Each left a bucket `latest` did not describe,
// or a listed release that could not be restored.
const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const V1 = { 'album/abba/abba-small.jpg': 'abba v1', 'artist/cher/cher-small.jpg': 'cher v1' };
const ALL = { delete: true, limits: { count: 100, percent: 100 } };
const stopBeforeRecord = { op: 'put' as const, key: /^_releases\//, action: 'drop' as const, times: 100 };
/** Writer-lock leases of a second in these tests (60 s by default), so a run that waits for a lock gives up soon. */
function useShortLease(): void {
  let before: string | undefined;
  beforeEach(() => { before = process.env.ASSETS_LOCK_LEASE_MS; process.env.ASSETS_LOCK_LEASE_MS = '1000'; });
  afterEach(() => { if (before === undefined) delete process.env.ASSETS_LOCK_LEASE_MS; else process.env.ASSETS_LOCK_LEASE_MS = before; });
}

const put = (h: SyncHarness, key: string, text: string) =>
  h.direct.put({ key, body: Buffer.from(text), md5: md5(text), contentType: 'image/jpeg', cacheControl: CACHE, metadata: {} });

async function expectBucketIsLatest(h: SyncHarness): Promise<void> {
  expect(await differencesFromRelease(h.direct, await latestRelease(h.direct) as never, { extrasAllowed: true })).to.deep.equal([]);
}

describe('overlapping and partial runs never leave `latest` behind, against s3rver', () => {
  const published = usePublished('s3rver', V1);
  useShortLease();
  let h: SyncHarness;
  let v1 = '';
  beforeEach(async () => { ({ h, ids: [v1 = ''] } = published); });

  it('a sync limited to one type after a stopped run writes, but neither publishes nor clears the mark; a full sync then records', async () => {
    await h.writeDist({ ...V1, 'album/abba/abba-small.jpg': 'abba v2' });
    h.proxy.faults.push(stopBeforeRecord);
    await h.sync(ALL).catch(() => undefined);
    h.proxy.reset();
    await h.writeDist({ 'album/abba/abba-small.jpg': 'abba v2', 'artist/cher/cher-small.jpg': 'cher v2' });
    const scoped = await h.sync({ scope: { type: 'artist' } });
    expect(scoped.result?.completed.update).to.equal(1);
    expect(scoped.release).to.equal(undefined);
    expect(scoped.unrecorded).to.match(/run `gulp sync` without --type/);
    expect((await readSyncState(h.direct)).unreleased).to.equal(true);
    expect((await readLatest(h.direct)).pointer?.id).to.equal(v1);
    const full = await h.sync(ALL);
    expect(full.release?.parent).to.equal(v1);
    await expectBucketIsLatest(h);
  });

  it('a record left by a stopped scoped run is not adopted once the bucket holds more than it records', async () => {
    await h.writeDist({ ...V1, 'artist/cher/cher-small.jpg': 'cher v2' });
    h.proxy.faults.push({ op: 'put', key: /^_releases\/latest\.json$/, action: 500, times: 100 });
    await h.sync({ scope: { type: 'artist' } }).catch(() => undefined); // leaves a record, unpointed
    h.proxy.reset();
    await h.writeDist({ 'album/abba/abba-small.jpg': 'abba v2', 'artist/cher/cher-small.jpg': 'cher v2' });
    h.proxy.faults.push(stopBeforeRecord);
    await h.sync(ALL).catch(() => undefined);
    h.proxy.reset();
    const scoped = await h.sync({ scope: { type: 'artist' } });
    expect(scoped.adopted).to.equal(undefined);
    expect(scoped.unrecorded).to.be.a('string');
    const full = await h.sync(ALL);
    expect(full.adopted).to.equal(undefined); // the orphan records abba v1; the bucket holds abba v2
    await expectBucketIsLatest(h);
  });

  it('an object another run wrote after the last record is seen by the listing: the next sync records the bucket, even with nothing to upload', async () => {
    await h.writeDist({ ...V1, 'album/abba/abba-small.jpg': 'abba v2' });
    await put(h, 'album/abba/abba-small.jpg', 'abba v2'); // an overlapping run's write landed after the winner's state record
    const sync = await h.sync(ALL);
    expect(sync.plan.actions).to.deep.equal([]);
    expect(sync.release?.parent).to.equal(v1);
    await expectBucketIsLatest(h);
  });

  it('an object deleted behind the tool\'s back whose source is gone too: the next sync records a release without it', async () => {
    await h.direct.deleteMany(['album/abba/abba-small.jpg']);
    await h.writeDist({ 'artist/cher/cher-small.jpg': 'cher v1' });
    const sync = await h.sync();
    expect(sync.release?.changes.deleted).to.deep.equal(['album/abba/abba-small.jpg']);
    await expectBucketIsLatest(h);
  });

  it('a prune refuses a bucket with unrecorded changes, and while a prune runs, writers refuse; every listed release stays restorable', async () => {
    await h.publish({ ...V1, 'album/abba/abba-small.jpg': 'abba v2' }, V1);
    await h.writeDist({ ...V1, 'album/abba/abba-small.jpg': 'abba v3' });
    h.proxy.faults.push(stopBeforeRecord);
    await h.sync(ALL).catch(() => undefined);
    h.proxy.reset();
    const refused = await runPrune(h.store, { keep: 1, limits: ALL.limits, dryRun: false, concurrency: 4, graceMs: 0 }).catch((e: { code?: string }) => e);
    expect((refused as { code?: string }).code).to.equal('E_UNRELEASED');
    await h.sync(ALL); // records the bucket

    const gate = gatedStore(h.store, (call, key) => call === 'deleteMany' && !key.startsWith('_state/'));
    const pruning = runPrune(gate.store, { keep: 1, limits: ALL.limits, dryRun: false, concurrency: 4, graceMs: 0 });
    await gate.reached; // the prune holds the writer lock, renewing it
    await h.writeDist({ ...V1, 'album/abba/abba-small.jpg': 'abba v2' });
    const held = await h.sync(ALL).catch((e: { code?: string; message?: string }) => e);
    expect((held as { code?: string }).code).to.equal('E_LOCKED');
    gate.open();
    await pruning;
    expect(await h.head('_state/lock.json')).to.equal(null); // given back
    await h.sync(ALL);
    const check = await restorability(h.direct);
    for (const id of await releaseIds(h.direct)) expect(check(await readRelease(h.direct, id)), id).to.deep.equal([]);
    await expectBucketIsLatest(h);
  });
});

describe('a prune between a writer\'s plan and its lock, against s3rver', () => {
  const published = usePublished('s3rver', V1);
  useShortLease();

  // From the attacker's round on the lock: prune changed neither the state record nor its ETag, so a
  // restore planned before it went ahead once it had the lock, and every copy from the pruned release failed.
  it('a restore planned on a release that a prune then deletes changes nothing: the state record tells it to plan again', async () => {
    const { h, ids: [v1 = ''] } = published;
    await h.publish({ ...V1, 'album/abba/abba-small.jpg': 'abba v2' });
    const gate = gatedStore(h.store, (call, key) => call === 'put' && key === '_state/lock.json');
    const restoring = runRollback(gate.store, { release: v1, environment: 'test', limits: ALL.limits, dryRun: false, concurrency: 4, quiet: true })
      .then(() => undefined, (e: { code?: string }) => e);
    await gate.reached; // planned, about to take the lock
    await runPrune(h.store, { keep: 1, limits: ALL.limits, dryRun: false, concurrency: 4, graceMs: 0 });
    expect(await releaseIds(h.direct)).to.not.include(v1);
    const before = await h.contents();
    gate.open();
    expect((await restoring)?.code).to.equal('E_STATE_CONFLICT');
    expect(await h.contents()).to.deep.equal(before);
    await expectBucketIsLatest(h);
  });
});

describe('a run that finishes while a rollback reads the bucket, against s3rver', () => {
  const published = usePublished('s3rver', V1);
  useShortLease();

  // Found by the generated two-writer histories: the rollback read `latest` (its own target), then a repair
  // finished (release, pointer, state), then the rollback read the state record and the listing. The
  // lock's check compares only the state record, so it went ahead, put the target's objects back, and —
  // its stale `latest` being the target — recorded no release: `latest` was the other run's, not the bucket.
  it('the rollback still records the bucket as the release it put back (the state record is read first)', async () => {
    const { h, ids: [v1 = ''] } = published;
    await h.writeDist({ ...V1, 'album/abba/abba-small.jpg': 'abba v2' });
    let raced = false;
    const racing: ObjectStore = Object.create(h.store) as ObjectStore;
    racing.get = async (key) => {
      if (key === '_state/sync-state.json' && !raced) {
        raced = true;
        await h.sync(ALL); // another run starts and finishes right here
      }
      return h.store.get(key);
    };
    const rolled = await runRollback(racing, { release: v1, environment: 'test', limits: ALL.limits, dryRun: false, concurrency: 4, quiet: true });
    expect(raced, 'the other run went in between').to.equal(true);
    expect(rolled.release, 'a release records the rollback').to.not.equal(undefined);
    expect(await h.contents()).to.deep.include({ 'album/abba/abba-small.jpg': 'abba v1' });
    await expectBucketIsLatest(h);
  });
});

describe('conditional writes of the state record, against Ceph radosgw', function () {
  this.timeout(60_000);
  const published = usePublished('ceph', V1);

  it('a sync that planned before another run changed the state record writes nothing: its mark gets 412', async () => {
    const { h } = published;
    await h.writeDist({ ...V1, 'album/abba/abba-small.jpg': 'abba v2' });
    const gate = gatedStore(h.store, (call, key) => call === 'put' && key.startsWith('_state/'));
    const held = runSync(gate.store, {
      dist: h.dist, cacheControl: CACHE, scope: {}, delete: true, limits: ALL.limits, dryRun: false, concurrency: 4, quiet: true,
    }).then(() => undefined, (e: { code?: string }) => e);
    await gate.reached; // planned on the state record as it was
    const other = await h.sync(ALL); // another run changes the bucket and its state record meanwhile
    gate.open();
    expect(((await held) as { code?: string } | undefined)?.code).to.equal('E_STATE_CONFLICT');
    expect((await readLatest(h.direct)).pointer?.id).to.equal(other.release?.id);
    await expectBucketIsLatest(h);
    expect((await readSyncState(h.direct)).unreleased).to.equal(false);
  });
});
