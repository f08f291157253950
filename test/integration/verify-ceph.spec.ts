import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readLatest, releaseIds } from '../../lib/releases/release-store';
import { differencesFromRelease, latestRelease } from '../support/bucket-checks';
import { requireCeph } from '../servers/ceph';
import { CACHE, SyncHarness } from '../support/sync-harness';

const big = Buffer.alloc(11 * 1024 * 1024);
for (let i = 0; i < big.length; i += 997) big[i] = i % 251;
const FILES = { 'album/abba/abba-small.jpg': 'abba small bytes', 'album/huge/huge-hi-res.jpg': big };
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('sync and verify against Ceph radosgw (multipart `-N` ETags, SigV4)', function () {
  let h: SyncHarness;
  before(async function () { await requireCeph(this); });
  beforeEach(async () => {
    h = await SyncHarness.start('ceph');
    await h.writeDist(FILES);
    h.store = h.multipart(6 * 1024 * 1024);
    const first = await h.sync();
    expect(first.result?.failures).to.deep.equal([]);
    h.proxy.reset();
  });
  afterEach(async () => { await h?.close(); });

  it('a no-change sync leaves the multipart object alone; fast verify HEADs it once and finds it clean', async () => {
    expect((await h.head('album/huge/huge-hi-res.jpg'))?.etag).to.match(/-3$/);
    expect((await h.sync()).plan.actions).to.deep.equal([]);
    h.proxy.reset();
    const outcome = await h.verify();
    expect(outcome.findings).to.deep.equal([]);
    expect(outcome.matching).to.equal(2);
    expect(h.proxy.counts).to.deep.include({ list: 1, get: 1, head: 1 });
  });

  it('names a multipart object whose bytes (and stored sha256) are not the build\'s, and deep mode agrees', async () => {
    const other = Buffer.from(big);
    other[5] = 77;
    const head = await h.head('album/huge/huge-hi-res.jpg');
    await h.multipart(6 * 1024 * 1024).put({ key: 'album/huge/huge-hi-res.jpg', body: other, md5: 'n/a', contentType: 'image/jpeg',
      cacheControl: CACHE, metadata: { ...head?.metadata, sha256: sha256(other) } });
    const fast = await h.verify();
    expect(fast.findings.map((f) => [f.kind, f.key])).to.deep.equal([['corrupt', 'album/huge/huge-hi-res.jpg']]);
    expect(fast.findings[0]?.reason).to.match(/sha256 metadata/);
    const repaired = await h.repair(fast);
    expect(repaired.result?.failures).to.deep.equal([]);
    expect((await h.verify({ deep: true })).findings).to.deep.equal([]);
  });
});

describe('releases on Ceph radosgw (conditional writes enforced)', function () {
  let h: SyncHarness;
  before(async function () { await requireCeph(this); });
  beforeEach(async () => {
    h = await SyncHarness.start('ceph');
    await h.writeDist({ 'album/a/a-small.jpg': 'a v1' });
    await h.sync();
  });
  afterEach(async () => { await h?.close(); });

  it('of two concurrent syncs one publishes the release, the other fails cleanly, and no release record is lost', async () => {
    await h.writeDist({ 'album/a/a-small.jpg': 'a v2', 'album/b/b-small.jpg': 'b v2' });
    const runs = await Promise.allSettled([h.sync(), h.sync()]);
    const failed = runs.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failed, JSON.stringify(runs.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')))).to.have.length(1);
    // The loser either meets the winner's mark on the state record before writing anything (E_STATE_CONFLICT),
    // or, if it read the state after that mark, loses the race for the pointer (E_RELEASE_CONFLICT; its record is kept).
    const code = (failed[0]?.reason as { code?: string }).code;
    expect(code).to.be.oneOf(['E_STATE_CONFLICT', 'E_RELEASE_CONFLICT']);
    const won = runs.find((r): r is PromiseFulfilledResult<Awaited<ReturnType<SyncHarness['sync']>>> => r.status === 'fulfilled');
    expect((await readLatest(h.direct)).pointer?.id).to.equal(won?.value.release?.id);
    expect(await releaseIds(h.direct)).to.have.length(code === 'E_STATE_CONFLICT' ? 2 : 3);
    expect(await differencesFromRelease(h.direct, await latestRelease(h.direct) as never)).to.deep.equal([]);
  });
});
