import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { releaseIds, readRelease, readLatest } from '../../lib/releases/release-store';
import { CACHE, SERVERS, SyncHarness, usePublished } from '../support/sync-harness';
import { listAll } from '../../lib/storage/object-store';

const V1 = {
  'album/abba/abba-medium.jpg': 'abba medium v1',
  'album/abba/abba-small.jpg': 'abba small v1',
  'album/bjork/bjork-medium.jpg': 'bjork medium v1',
  'artist/cher/cher-small.jpg': 'cher small v1',
};
const V2 = {
  'album/abba/abba-medium.jpg': 'abba medium v2', // changed
  'album/abba/abba-small.jpg': 'abba small v1',
  'artist/cher/cher-small.jpg': 'cher small v1',
  'album/dido/dido-small.jpg': 'dido small v2', // added; bjork deleted
};
const all = { delete: true, limits: { count: 100, percent: 100 } };

for (const server of SERVERS) {
  describe(`release records and rollback (gulp restore --release) against ${server}`, () => {
    const published = usePublished(server, V1, V2);
    let h: SyncHarness;
    let v1 = '';
    let v2 = '';
    beforeEach(async () => { ({ h, ids: [v1 = '', v2 = ''] } = published); });

    it('every sync that changes the bucket records a release: its objects, its parent, what it changed', async () => {
      expect(await releaseIds(h.direct)).to.deep.equal([v2, v1]);
      expect((await readLatest(h.direct)).pointer?.id).to.equal(v2);
      const release = await readRelease(h.direct, v2);
      expect(release).to.deep.include({ parent: v1, reason: 'sync' });
      expect(Object.keys(release.objects).sort()).to.deep.equal(Object.keys(V2).sort());
      expect(release.objects['album/abba/abba-medium.jpg']).to.include({ contentType: 'image/jpeg', cacheControl: CACHE, size: 14 });
      expect(release.changes).to.deep.equal({
        created: ['album/dido/dido-small.jpg'], updated: ['album/abba/abba-medium.jpg'], retagged: [], deleted: ['album/bjork/bjork-medium.jpg'],
      });
      expect((await h.sync(all)).release).to.equal(undefined); // nothing changed: no new release
    });

    it('rolls the bucket back to v1 byte for byte by server-side copies, then forward to v2 again', async () => {
      h.proxy.reset();
      const back = await h.rollback(v1);
      expect(back.result?.failures).to.deep.equal([]);
      expect(h.proxy.counts.put).to.equal(5); // lock, state record (marked first, saved last), release record, pointer: no object bytes
      expect(await h.contents()).to.deep.equal(V1);
      expect((await h.head('album/bjork/bjork-medium.jpg'))?.cacheControl).to.equal(CACHE);
      expect(back.release).to.deep.include({ reason: 'restore', restoredFrom: v1, parent: v2 });
      expect(back.changedUrls).to.include.members(['album/abba/abba-medium.jpg', 'album/bjork/bjork-medium.jpg', 'album/dido/dido-small.jpg']);
      for (const key of Object.keys(V1)) expect((await h.head(key))?.etag, key).to.equal(createHash('md5').update(V1[key as keyof typeof V1]).digest('hex'));
      const againstV1 = await h.verify({ release: await readRelease(h.direct, v1), manifest: undefined, deep: true });
      expect(againstV1.findings).to.deep.equal([]); // gulp verify --release v1 --deep: bytes and headers as v1 recorded them
      expect(againstV1.checked.deep).to.equal(Object.keys(V1).length);

      const drifted = await h.verify(); // dist/ still holds v2: differences are expected, and said to be
      expect(drifted.rolledBack?.id).to.equal(back.release?.id);
      expect(drifted.rolledBack?.restoredFrom).to.equal(v1);

      const forward = await h.rollback('previous'); // the rollback's parent is v2
      expect(forward.target.id).to.equal(v2);
      expect(await h.contents()).to.deep.equal(V2);
      expect((await h.verify({ release: await readRelease(h.direct, v2), manifest: undefined, deep: true })).findings).to.deep.equal([]);
    });

    it('a dry run shows the plan and changes nothing; its real twin applies exactly that plan; a rerun has nothing to do', async () => {
      const dry = await h.rollback(v1, { dryRun: true });
      expect(dry.result).to.equal(undefined);
      expect(await h.contents()).to.deep.equal(V2);
      expect(dry.plan.actions.map((a) => a.kind).sort()).to.deep.equal(['archive', 'archive', 'delete', 'restore', 'restore']);
      const real = await h.rollback(v1);
      expect(real.plan.actions.map((a) => [a.kind, a.key])).to.deep.equal(dry.plan.actions.map((a) => [a.kind, a.key]));
      expect((await h.rollback(v1)).plan.actions).to.deep.equal([]);
    });

    it('refuses, naming the object, when bytes a release needs are in neither the bucket nor the archive', async () => {
      await h.direct.deleteMany((await listAll(h.direct, { prefix: '_archive/' })).map((o) => o.key));
      const outcome = await h.rollback(v1);
      expect(outcome.result).to.equal(undefined);
      expect(outcome.plan.unrecoverable.map((u) => u.key)).to.deep.equal(['album/abba/abba-medium.jpg', 'album/bjork/bjork-medium.jpg']);
      expect(await h.contents()).to.deep.equal(V2);
    });
  });
}
