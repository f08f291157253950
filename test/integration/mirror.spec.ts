import { expect } from 'chai';
import { requireManifest } from '../../lib/bucket/desired';
import { readLatest, readRelease } from '../../lib/releases/release-store';
import { readReleaseManifest } from '../../lib/releases/release-manifest';
import { runVerify } from '../../lib/verify/run-verify';
import { AssetsError } from '../../lib/errors';
import { md5Of } from '../../lib/util/hash';
import { CACHE, SyncHarness } from '../support/sync-harness';
import { V1, V2 } from '../support/release-states';
import { expectSameImages, mirrorBetween, useMirrorPair } from '../support/mirror-pair';

/** The release the target's pointer names. */
async function latestRelease(h: SyncHarness) {
  return readRelease(h.direct, (await readLatest(h.direct)).pointer?.id ?? '');
}

describe('gulp mirror: the embedded s3rver bucket → Ceph radosgw and back, byte for byte', function () {
  this.timeout(60_000);
  let dev: SyncHarness;
  let backup: SyncHarness;
  useMirrorPair((d, b) => { dev = d; backup = b; });

  it('copies every image with the headers its release recorded, records a release there, and verify passes on it', async () => {
    const [v1] = await dev.publish(V1);
    const mirrored = await mirrorBetween(dev, backup);
    expect(mirrored.result?.failures).to.deep.equal([]);
    expect(mirrored.result?.completed.create).to.equal(3);
    await expectSameImages(dev, backup);
    const release = await latestRelease(backup);
    expect(release).to.include({ reason: 'mirror', restoredFrom: `development release ${v1}`, environment: 'backup' });
    const source = await readRelease(dev.direct, v1 ?? '');
    expect(release.objects).to.deep.equal(source.objects);
    // The build's manifest came along, byte for byte: `gulp restore --pull --env backup` gives it back.
    expect(release.manifest).to.deep.equal(source.manifest);
    expect(await readReleaseManifest(backup.direct, release.manifest ?? { sha256: '', size: 0 })).to.deep.equal(await requireManifest(dev.dist));
    // What `gulp verify --env backup` checks: against the build, and against the backup's own latest release.
    const manifest = await requireManifest(dev.dist);
    const base = { cacheControl: CACHE, scope: {}, deep: true, concurrency: 4, quiet: true };
    expect((await runVerify(backup.store, { ...base, manifest })).findings).to.deep.equal([]);
    expect((await runVerify(backup.store, { ...base, release })).findings).to.deep.equal([]);
  });

  it('a second mirror with nothing changed writes nothing: the target\'s listing and one GET, two GETs of the source', async () => {
    await dev.publish(V1);
    await mirrorBetween(dev, backup);
    dev.proxy.reset();
    backup.proxy.reset();
    const again = await mirrorBetween(dev, backup);
    expect(again.plan.actions).to.deep.equal([]);
    expect(again.release).to.equal(undefined);
    expect(backup.proxy.counts).to.deep.equal({ list: 1, head: 0, get: 1, put: 0, copy: 0, delete: 0, other: 0 });
    expect(dev.proxy.counts).to.deep.equal({ list: 0, head: 0, get: 2, put: 0, copy: 0, delete: 0, other: 0 });
  });

  it('a changed release mirrors only what changed (old bytes archived first), and the backup rolls back to its previous release', async () => {
    await dev.publish(V1);
    await mirrorBetween(dev, backup);
    const first = await latestRelease(backup);
    await dev.publish(V2);
    dev.proxy.reset();
    // One delete of three objects is over the default cap (10 %): this backup is small.
    const changed = await mirrorBetween(dev, backup, { limits: { count: 10, percent: 50 } });
    const kinds = changed.plan.actions.map((a) => `${a.kind} ${a.key}`);
    expect(kinds.filter((k) => !k.startsWith('archive'))).to.deep.equal([
      'create album/dido/dido-small.jpg', 'update album/abba/abba-medium.jpg', 'delete album/bjork/bjork-medium.jpg',
    ]);
    expect(kinds.filter((k) => k.startsWith('archive'))).to.have.length(2);
    expect(changed.result?.failures).to.deep.equal([]);
    // Only the two new bodies were read from the source, past its pointer and release record, and V2's image manifest.
    expect(dev.proxy.counts.get).to.equal(2 + 2 + 1);
    await expectSameImages(dev, backup);
    expect((await latestRelease(backup)).parent).to.equal(first.id);

    const rolled = await backup.rollback('previous');
    expect(rolled.result?.failures).to.deep.equal([]);
    expect(await backup.contents()).to.deep.equal(V1);
  });

  it('back from the backup: Ceph → s3rver puts a damaged source back as the release was', async () => {
    const [v1] = await dev.publish(V1);
    await mirrorBetween(dev, backup);
    // The outage's damage: one object gone, one overwritten behind the tool's back.
    await dev.direct.deleteMany(['album/abba/abba-small.jpg']);
    const body = Buffer.from('garbage');
    await dev.direct.put({ key: 'album/bjork/bjork-medium.jpg', body, md5: md5Of(body), contentType: 'image/jpeg', cacheControl: 'no-cache', metadata: {} });
    const back = await mirrorBetween(backup, dev, { source: 'backup', environment: 'development' });
    expect(back.result?.failures).to.deep.equal([]);
    expect(await dev.contents()).to.deep.equal(V1);
    await expectSameImages(backup, dev);
    // Back at the state its latest release records: that release describes it again, no new one.
    expect(back.describedBy).to.equal(v1);
  });

  it('a dry run plans the copies and changes nothing; its real twin leaves the target holding the release', async () => {
    await dev.publish(V1);
    const dry = await mirrorBetween(dev, backup, { dryRun: true });
    expect(dry.plan.actions.map((a) => a.kind)).to.deep.equal(['create', 'create', 'create']);
    expect(backup.proxy.counts.put + backup.proxy.counts.copy + backup.proxy.counts.delete).to.equal(0);
    expect(await backup.contents()).to.deep.equal({});
    const real = await mirrorBetween(dev, backup);
    expect(real.plan.actions.map((a) => a.kind)).to.deep.equal(['create', 'create', 'create']);
    expect(await backup.contents()).to.deep.equal(V1);
  });

  it('a source with no release says so and names the next step; the target is not touched', async () => {
    const error = await mirrorBetween(dev, backup).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(AssetsError);
    expect((error as AssetsError).message).to.match(/--env development has no release to mirror/);
    expect((error as AssetsError).hint).to.match(/gulp sync --env development/);
    expect(backup.proxy.total).to.equal(0);
  });

  it('objects the source no longer holds are failures named together; the rest is copied and nothing is deleted', async () => {
    await dev.publish(V1);
    await backup.publish({ 'album/zed/zed-small.jpg': 'kept while anything fails' });
    await dev.direct.deleteMany(['album/abba/abba-small.jpg', 'album/bjork/bjork-medium.jpg']);
    const mirrored = await mirrorBetween(dev, backup, { limits: { count: 10, percent: 100 } });
    expect(mirrored.result?.failures.map((f) => f.key).sort()).to.deep.equal(['album/abba/abba-small.jpg', 'album/bjork/bjork-medium.jpg']);
    expect(mirrored.result?.failures[0]?.reason).to.match(/holds no copy of it with the SHA-256 its release .* records/);
    expect(await backup.contents()).to.deep.equal({ 'album/abba/abba-medium.jpg': 'abba medium v1', 'album/zed/zed-small.jpg': 'kept while anything fails' });
  });

  it('a PUT the target keeps refusing is a failure by key: the other copies land, nothing is deleted or released, and a rerun finishes', async () => {
    await dev.publish(V1);
    await mirrorBetween(dev, backup);
    const before = (await readLatest(backup.direct)).pointer?.id;
    await dev.publish(V2);
    backup.proxy.faults.push({ op: 'put', key: /dido-small/, action: 500, times: 50 });
    const failed = await mirrorBetween(dev, backup, { limits: { count: 10, percent: 50 } });
    expect(failed.result?.failures.map((f) => [f.action, f.key])).to.deep.equal([['create', 'album/dido/dido-small.jpg']]);
    expect(failed.result?.deleted).to.deep.equal([]);
    expect(failed.release).to.equal(undefined);
    expect((await readLatest(backup.direct)).pointer?.id).to.equal(before);
    expect(await backup.text('album/abba/abba-medium.jpg')).to.equal('abba medium v2');
    expect(await backup.text('album/bjork/bjork-medium.jpg')).to.equal('bjork medium v1');

    backup.proxy.reset();
    const rerun = await mirrorBetween(dev, backup, { limits: { count: 10, percent: 50 } });
    expect(rerun.plan.actions.filter((a) => a.kind !== 'archive').map((a) => `${a.kind} ${a.key}`))
      .to.deep.equal(['create album/dido/dido-small.jpg', 'delete album/bjork/bjork-medium.jpg']);
    expect(rerun.result?.failures).to.deep.equal([]);
    expect(rerun.release?.parent).to.equal(before);
    await expectSameImages(dev, backup);
  });

  it('refuses to delete most of the target on a guess (a near-empty source), and copies the rest', async () => {
    await dev.publish({ 'album/abba/abba-small.jpg': 'abba small v1' });
    await backup.publish({ 'album/x/x-small.jpg': '1', 'album/y/y-small.jpg': '2', 'album/z/z-small.jpg': '3' });
    const mirrored = await mirrorBetween(dev, backup, { limits: { count: 100, percent: 100 } });
    expect(mirrored.plan.deleteRefusal).to.match(/most of the target .*--allow-mass-delete/);
    expect(Object.keys(await backup.contents())).to.have.length(4);
  });
});
