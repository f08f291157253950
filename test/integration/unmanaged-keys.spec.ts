import { expect } from 'chai';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_KEY_RULES, type KeyRules } from '../../lib/bucket/managed-keys';
import { STATE_KEY } from '../../lib/bucket/state-record';
import { md5Of } from '../../lib/util/hash';
import { isClean } from '../../lib/verify/run-verify';
import { formatVerify, verifyReport } from '../../lib/verify/verify-report';
import { writeAt } from '../helpers/tmp';
import { V1, V2 } from '../support/release-states';
import { CACHE, SyncHarness } from '../support/sync-harness';

const deleting = { delete: true, limits: { count: 100, percent: 100 } };
/** What another tool (or the site's own steps) keeps in the same bucket. */
const FOREIGN = ['robots.txt', 'album/abba/og-image.png', 'album/abba/cover.jpg', '_foo/not-ours.jpg', 'album/abba/bjork-medium.jpg'];

describe('unmanaged keys: what the tool did not make is never deleted, never an extra, only counted', function () {
  this.timeout(60_000);
  let h: SyncHarness;
  beforeEach(async () => { h = await SyncHarness.start(); });
  afterEach(async () => { await h.close(); });

  async function plant(...keys: string[]): Promise<void> {
    for (const key of keys) {
      const body = Buffer.from(`planted ${key}`);
      await h.direct.put({ key, body, md5: md5Of(body), contentType: 'application/octet-stream', cacheControl: CACHE, metadata: {} });
    }
  }

  it('sync --delete and verify leave keys the tool does not name alone, and say how many they saw', async () => {
    await h.publish(V1);
    await plant(...FOREIGN, 'album/zz/zz-small.jpg'); // the last is named as the tool names images: an extra
    const synced = await h.sync(deleting);
    expect(synced.result?.deleted).to.deep.equal(['album/zz/zz-small.jpg']);
    expect(synced.unmanaged).to.deep.include({ total: FOREIGN.length, other: FOREIGN.length, excluded: 0, held: 0 });
    for (const key of FOREIGN) expect(await h.head(key), key).to.not.equal(null);
    const verified = await h.verify();
    expect(isClean(verified)).to.equal(true);
    expect(verified.unmanaged.total).to.equal(FOREIGN.length);
    const report = verifyReport(verified, { environment: 'test', bucket: 'images', mode: { deep: false, public: false } });
    expect(report.objects).to.deep.include({ bucket: 3, unmanaged: FOREIGN.length });
    expect(formatVerify(report)).to.match(/0 extra; 5 unmanaged\n {2}5 unmanaged object\(s\) left alone \(never deleted or checked\): 5 not the tool's \(e\.g\. /);
  });

  it('--exclude and `ignore` keep keys out of the run: not uploaded, not checked, never deleted', async () => {
    await h.publish(V1);
    await plant('album/keep/keep-small.jpg');
    await h.writeDist({ ...V1, 'album/bjork/bjork-medium.jpg': 'bjork medium v2', 'album/new/new-small.jpg': 'new' });
    const keys: KeyRules = { ...DEFAULT_KEY_RULES, exclude: ['album/bjork/**'], ignore: ['album/keep/*'] };
    const synced = await h.sync({ keys, ...deleting });
    expect(synced.plan.actions.map((a) => [a.kind, a.key])).to.deep.equal([['create', 'album/new/new-small.jpg']]);
    expect(synced.unmanaged).to.deep.include({ total: 2, excluded: 2 }); // bjork's medium and keep's small
    expect(await h.text('album/bjork/bjork-medium.jpg')).to.equal(V1['album/bjork/bjork-medium.jpg']);
    expect(await h.head('album/keep/keep-small.jpg')).to.not.equal(null);
    expect(isClean(await h.verify({ keys }))).to.equal(true);
    const unfiltered = await h.verify();
    expect(unfiltered.findings.map((f) => [f.kind, f.key])).to.deep.equal([['corrupt', 'album/bjork/bjork-medium.jpg'], ['extra', 'album/keep/keep-small.jpg']]);
  });

  it('a key the latest release records stays the tool\'s after the config stops publishing it: an extra, deleted with --delete', async () => {
    await h.writeDist(V1);
    await writeAt(h.dist, 'album/abba/og-image.png', 'abba card');
    const publishing: KeyRules = { ...DEFAULT_KEY_RULES, publish: ['album/*/og-image.png'] };
    expect(Object.keys((await h.sync({ keys: publishing })).release?.objects ?? {})).to.include('album/abba/og-image.png');
    await h.direct.deleteMany([STATE_KEY]); // only the release now says the card is the tool's
    await rm(join(h.dist, 'album/abba/og-image.png'));
    const synced = await h.sync(deleting); // the config publishes nothing any more
    expect(synced.unmanaged.total).to.equal(0);
    expect(synced.result?.deleted).to.deep.equal(['album/abba/og-image.png']);
  });

  it('restore --release deletes the tool\'s extras but never an unmanaged or ignored key', async () => {
    const [v1 = ''] = await h.publish(V1, V2);
    await plant('robots.txt', 'album/keep/keep-small.jpg', 'album/zz/zz-small.jpg');
    const keys: KeyRules = { ...DEFAULT_KEY_RULES, ignore: ['album/keep/*'] };
    const rolled = await h.rollback(v1, { keys });
    expect(rolled.result?.deleted.sort()).to.deep.equal(['album/dido/dido-small.jpg', 'album/zz/zz-small.jpg']);
    expect(rolled.unmanaged).to.deep.include({ total: 2, other: 1, excluded: 1 });
    const { 'robots.txt': robots, 'album/keep/keep-small.jpg': kept, ...images } = await h.contents();
    expect([robots, kept]).to.deep.equal(['planted robots.txt', 'planted album/keep/keep-small.jpg']);
    expect(images).to.deep.equal(V1);
  });
});
