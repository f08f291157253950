import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { releaseIds, readLatest, readRelease } from '../../lib/releases/release-store';
import { listAll } from '../../lib/storage/object-store';
import { readSyncState } from '../../lib/bucket/state-record';
import { differencesFromRelease, latestRelease, unrestorable } from '../support/bucket-checks';
import { V1, V2 } from '../support/release-states';
import { CACHE, SyncHarness, usePublished } from '../support/sync-harness';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const all = { delete: true, limits: { count: 100, percent: 100 } };

describe('one write path: every command that changes the bucket archives first and records a release', () => {
  const published = usePublished('s3rver', V1);
  let h: SyncHarness;
  let v1 = '';
  beforeEach(async () => { ({ h, ids: [v1 = ''] } = published); });

  // Finding 2 of [05/10]: a repair overwrote without archiving and recorded no release, so the latest release
  // could no longer be restored ("no version or archived copy of its bytes").
  it('verify --repair archives what it overwrites and records the repaired bucket as a release', async () => {
    await h.writeDist(V2); // changed sources, built, not synced: verify finds the differences
    const repaired = await h.repair(await h.verify(), all);
    expect(repaired.result?.failures).to.deep.equal([]);
    expect(repaired.release).to.deep.include({ reason: 'repair', parent: v1 });
    expect(repaired.release?.changes).to.deep.equal({
      created: ['album/dido/dido-small.jpg'], updated: ['album/abba/abba-medium.jpg'], retagged: [], deleted: ['album/bjork/bjork-medium.jpg'],
    });
    expect(await h.text(`_archive/${sha256(V1['album/abba/abba-medium.jpg'] as string)}`)).to.equal(V1['album/abba/abba-medium.jpg']);
    for (const id of await releaseIds(h.direct)) expect(await unrestorable(h.direct, await readRelease(h.direct, id)), id).to.deep.equal([]);
    expect((await h.rollback('latest')).plan.actions).to.deep.equal([]);
    await h.rollback('previous');
    expect(await h.contents()).to.deep.equal(V1);
  });

  // Finding 3: a sync stopped between its last write and the pointer update left `latest` behind for good.
  it('a sync stopped before its release record: the state record says so, verify says so, and the next sync publishes', async () => {
    await h.writeDist(V2);
    h.proxy.faults.push({ op: 'put', key: /^_releases\/\d/, action: 'drop', times: 100 });
    await h.sync(all).then(() => expect.fail('the sync should fail'), () => undefined);
    expect(await h.contents()).to.deep.equal(V2);
    expect((await readLatest(h.direct)).pointer?.id).to.equal(v1);
    expect((await readSyncState(h.direct)).unreleased).to.equal(true);
    const checked = await h.verify({ release: await readRelease(h.direct, v1), manifest: undefined });
    expect(checked.findings.length).to.be.greaterThan(0);
    expect(checked.state.unreleased).to.equal(true);

    h.proxy.reset();
    const rerun = await h.sync(all);
    expect(rerun.plan.actions).to.deep.equal([]);
    expect(rerun.release).to.deep.include({ parent: v1, reason: 'sync' });
    expect(await differencesFromRelease(h.direct, await latestRelease(h.direct) as never)).to.deep.equal([]);
    expect((await readSyncState(h.direct)).unreleased).to.equal(false);
    h.proxy.reset();
    await h.sync(all);
    expect(h.proxy.total).to.equal(2); // settled again: the listing and the state record
  });

  it('a sync stopped after its release record, before the pointer: the next sync adopts that record rather than write another', async () => {
    await h.writeDist(V2);
    h.proxy.faults.push({ op: 'put', key: /^_releases\/latest\.json$/, action: 500, times: 100 });
    await h.sync(all).then(() => expect.fail('the sync should fail'), () => undefined);
    const [orphan] = (await releaseIds(h.direct)).filter((id) => id !== v1);
    expect((await readLatest(h.direct)).pointer?.id).to.equal(v1);

    h.proxy.reset();
    const rerun = await h.sync(all);
    expect(rerun.adopted).to.equal(true);
    expect(rerun.release?.id).to.equal(orphan);
    expect((await readLatest(h.direct)).pointer?.id).to.equal(orphan);
    expect(await releaseIds(h.direct)).to.deep.equal([orphan, v1]);
    expect(await differencesFromRelease(h.direct, await latestRelease(h.direct) as never)).to.deep.equal([]);
  });

  it('a repair is a writer too: after a stopped sync it publishes the bucket it finds, even with nothing to fix', async () => {
    await h.writeDist(V2);
    h.proxy.faults.push({ op: 'put', key: /^_releases\//, action: 'drop', times: 100 });
    await h.sync(all).catch(() => undefined);
    h.proxy.reset();
    const verified = await h.verify();
    expect(verified.findings).to.deep.equal([]);
    const repaired = await h.repair(verified);
    expect(repaired.release).to.deep.include({ reason: 'repair', parent: v1 });
    expect(await differencesFromRelease(h.direct, await latestRelease(h.direct) as never)).to.deep.equal([]);
  });

  // Finding 4: rollback trusted whatever an archive key held, and the archive step skipped keys that existed.
  it('an archived copy overwritten with other bytes is named and never restored from; the next archive of that content replaces it', async () => {
    const [v2] = await h.publish(V2);
    const key = `_archive/${sha256(V1['album/abba/abba-medium.jpg'] as string)}`;
    await h.direct.put({ key, body: Buffer.from('tampered'), md5: md5('tampered'), contentType: 'application/octet-stream', cacheControl: CACHE, metadata: {} });
    const refused = await h.rollback(v1);
    expect(refused.result).to.equal(undefined);
    expect(refused.plan.unrecoverable).to.deep.equal([{
      key: 'album/abba/abba-medium.jpg',
      reason: `its archived copy is corrupt: ${key} holds other bytes (ETag ${md5('tampered')}, 8 bytes; the release records MD5 ${md5('abba medium v1')}, 14 bytes)`,
    }]);
    expect(await h.contents()).to.deep.equal(V2);
    expect((await readLatest(h.direct)).pointer?.id).to.equal(v2);

    await h.writeDist(V1);
    await h.sync(all); // v1's bytes are in dist again; v2's are archived; v1's abba bytes are uploaded, not copied
    await h.writeDist(V2);
    await h.sync(all); // now v1's abba bytes are archived again: the bad copy is replaced
    expect(await h.text(key)).to.equal(V1['album/abba/abba-medium.jpg']);
    await h.rollback(v1);
    expect(await h.contents()).to.deep.equal(V1);
  });

  it('a copy that does not come out as the release\'s bytes fails the rollback, which records no release and deletes nothing', async () => {
    const [v2] = await h.publish(V2);
    const key = `_archive/${sha256(V1['album/abba/abba-medium.jpg'] as string)}`;
    await h.rotOnDisk(key); // bit rot behind the store's stored MD5: the listing still shows the right ETag
    const outcome = await h.rollback(v1);
    expect(outcome.result?.failures.map((f) => [f.action, f.key])).to.deep.equal([['restore', 'album/abba/abba-medium.jpg']]);
    expect(outcome.result?.failures[0]?.reason).to.match(new RegExp(`copy from ${key} came out with ETag [0-9a-f]{32}, expected ${md5('abba medium v1')}`));
    expect(outcome.release).to.equal(undefined);
    expect((await readLatest(h.direct)).pointer?.id).to.equal(v2);
    expect(await h.contents()).to.include.keys('album/dido/dido-small.jpg'); // the delete did not run
    expect((await readSyncState(h.direct)).unreleased).to.equal(true);
    expect((await listAll(h.direct, { prefix: '_archive/' })).length).to.be.greaterThan(0);
  });
});
