import { expect } from 'chai';
import { releaseIds, readRelease } from '../../lib/releases/release-store';
import { runSync } from '../../lib/sync/run-sync';
import { readSyncState } from '../../lib/sync/state-record';
import { LOCK_KEY } from '../../lib/sync/writer-lock';
import { md5Of } from '../../lib/util/hash';
import { differencesFromRelease, latestRelease, restorability } from '../support/bucket-checks';
import { CrashingStore } from '../support/crashing-store';
import { gatedStore } from '../support/gated-store';
import { CACHE, SERVERS, SyncHarness, usePublished } from '../support/sync-harness';

// From the second adversarial round on [05/10]: the "unreleased" mark did not keep a second writer out, so
// a run held mid-write could overwrite a release another run had just published, unarchived; a header-only
// change by a killed run went unseen; a lost answer to the state record's PUT was taken for another run's.
const V1 = { 'album/abba/abba-small.jpg': 'abba v1', 'artist/cher/cher-small.jpg': 'cher v1' };
const ALL = { delete: true, limits: { count: 100, percent: 100 } };

async function expectSettled(h: SyncHarness): Promise<void> {
  expect(await differencesFromRelease(h.direct, await latestRelease(h.direct) as never)).to.deep.equal([]);
  const check = await restorability(h.direct);
  for (const id of await releaseIds(h.direct)) expect(check(await readRelease(h.direct, id)), id).to.deep.equal([]);
}

const syncOn = (h: SyncHarness, store: SyncHarness['store'], options: { cacheControl?: string } = {}) => runSync(store, {
  dist: h.dist, cacheControl: options.cacheControl ?? CACHE, scope: {}, ...ALL, dryRun: false, concurrency: 4, quiet: true,
});

for (const server of SERVERS) {
  describe(`one writer at a time (the bucket's writer lock), against ${server}`, function () {
    this.timeout(60_000);
    const published = usePublished(server, V1);
    let h: SyncHarness;
    let lease: string | undefined;
    beforeEach(() => {
      ({ h } = published);
      lease = process.env.ASSETS_LOCK_LEASE_MS;
      process.env.ASSETS_LOCK_LEASE_MS = '2000';
    });
    afterEach(() => { if (lease === undefined) delete process.env.ASSETS_LOCK_LEASE_MS; else process.env.ASSETS_LOCK_LEASE_MS = lease; });

    it('a second writer waits for the first; if its plan went stale meanwhile it writes nothing, and its rerun records the bucket', async () => {
      await h.writeDist({ ...V1, 'album/abba/abba-small.jpg': 'abba A' });
      const gate = gatedStore(h.store, (call, key) => call === 'put' && !key.startsWith('_'));
      const first = syncOn(h, gate.store);
      await gate.reached; // A holds the lock, past its mark and its archive copy
      const second = syncOn(h, h.store).then(() => undefined, (e: { code?: string }) => e);
      setTimeout(() => gate.open(), 500); // A finishes while B waits
      await first;
      expect((await second)?.code).to.equal('E_STATE_CONFLICT');
      await expectSettled(h);
      await h.writeDist({ ...V1, 'album/abba/abba-small.jpg': 'abba B' });
      await h.sync(ALL);
      await expectSettled(h);
      expect(await h.head(LOCK_KEY)).to.equal(null);
    });

    it('a writer that cannot get the lock within its lease and a half gives up, naming who holds it', async () => {
      await h.writeDist({ ...V1, 'album/abba/abba-small.jpg': 'abba A' });
      const gate = gatedStore(h.store, (call, key) => call === 'put' && !key.startsWith('_'));
      const first = syncOn(h, gate.store);
      await gate.reached;
      const refused = await syncOn(h, h.store).then(() => undefined, (e: { code?: string; message?: string }) => e);
      expect(refused?.code).to.equal('E_LOCKED');
      expect(refused?.message).to.match(/another run is writing to this bucket: `gulp sync` \(pid \d+/);
      gate.open();
      await first;
      await expectSettled(h);
    });

    it('the lock of a run that died part-way is taken over at once (same host), and the bucket it left is recorded', async () => {
      await h.writeDist({ ...V1, 'album/abba/abba-small.jpg': 'abba v2' });
      const crashing = new CrashingStore(h.store, 9); // dies after its mark, mid-write
      await syncOn(h, crashing).catch(() => undefined);
      expect(await h.head(LOCK_KEY)).to.not.equal(null);
      const started = Date.now();
      const rerun = await h.sync(ALL);
      expect(Date.now() - started).to.be.below(1500); // no wait for the lease
      expect(rerun.release).to.not.equal(undefined);
      await expectSettled(h);
    });

    it('a header-only change by a run killed part-way is looked at, not trusted: the next sync puts the headers back', async () => {
      await h.writeDist(V1);
      const crashing = new CrashingStore(h.store, 8);
      await syncOn(h, crashing, { cacheControl: 'public, max-age=999' }).catch(() => undefined);
      await h.sync(ALL);
      await expectSettled(h); // every object served with the release's headers again
    });

    it('a run whose lock is taken over stops starting new work and deletes nothing', async () => {
      await h.writeDist({ 'album/abba/abba-small.jpg': 'abba v2' }); // updates abba, deletes cher
      const gate = gatedStore(h.store, (call, key) => call === 'put' && !key.startsWith('_'));
      const first = syncOn(h, gate.store).then((o) => o, (e: unknown) => e);
      await gate.reached;
      const other = Buffer.from('{"run":"other"}');
      await h.direct.put({ key: LOCK_KEY, body: other, md5: md5Of(other), contentType: 'application/json', cacheControl: 'no-store', metadata: {} });
      await new Promise((resolve) => setTimeout(resolve, 900)); // a renewal meets the other lock
      gate.open();
      const outcome = await first as Awaited<ReturnType<typeof runSync>>;
      expect(outcome.result?.stopped).to.match(/lost its lock/);
      expect(outcome.result?.deleted).to.deep.equal([]);
      expect((await readSyncState(h.direct)).unreleased).to.equal(true);
    });

    it('a state-record PUT whose answer was lost, and that is retried, is recognised as this run\'s own write', async () => {
      await h.writeDist({ ...V1, 'album/abba/abba-small.jpg': 'abba v2' });
      h.proxy.faults.push({ op: 'put', key: /^_state\/sync-state\.json$/, action: 'reset-after', times: 2 });
      const outcome = await h.sync(ALL);
      expect(outcome.release).to.not.equal(undefined);
      expect((await readSyncState(h.direct)).unreleased).to.equal(false);
      await expectSettled(h);
    });
  });
}
