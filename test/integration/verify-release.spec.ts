import { expect } from 'chai';
import { readRelease } from '../../lib/releases/release-store';
import { spawnGulp } from '../helpers/cli';
import { SyncHarness } from '../support/sync-harness';
import { V1, V2 } from '../support/release-states';


describe('gulp verify --release: the bucket checked against a recorded release', () => {
  let h: SyncHarness;
  let v1 = '';
  let v2 = '';
  beforeEach(async () => {
    h = await SyncHarness.start();
    [v1 = '', v2 = ''] = await h.publish(V1, V2);
  });
  afterEach(async () => { await h.close(); });

  it('names what differs from an older release, and is clean against it after a rollback (fast and deep)', async () => {
    const release = await readRelease(h.direct, v1);
    const before = await h.verify({ release, manifest: undefined });
    expect(before.findings.map((f) => [f.kind, f.key])).to.deep.equal([
      ['corrupt', 'album/abba/abba-medium.jpg'], ['missing', 'album/bjork/bjork-medium.jpg'], ['extra', 'album/dido/dido-small.jpg'],
    ]);
    expect((await h.verify({ release: await readRelease(h.direct, v2), manifest: undefined })).findings).to.deep.equal([]);

    await h.rollback(v1);
    expect((await h.verify({ release, manifest: undefined })).findings).to.deep.equal([]);
    const deep = await h.verify({ release, manifest: undefined, deep: true });
    expect(deep.findings).to.deep.equal([]);
    expect(deep.checked.deep).to.equal(3);
  });

  it('uses the headers the release recorded, not the environment\'s: a re-headered object is stale against it', async () => {
    const release = await readRelease(h.direct, v2);
    expect((await h.verify({ release, manifest: undefined, cacheControl: 'public, max-age=1' })).findings).to.deep.equal([]);
    const key = 'album/abba/abba-small.jpg';
    const head = await h.head(key);
    await h.direct.copy({ key, sourceKey: key, contentType: 'image/jpeg', cacheControl: 'no-cache', metadata: head?.metadata ?? {} });
    const outcome = await h.verify({ release, manifest: undefined, deep: true });
    expect(outcome.findings.map((f) => [f.kind, f.key])).to.deep.equal([['stale-headers', key]]);
  });

  it('from the command line: non-zero naming each difference, 0 against the latest, and no --repair with it', async () => {
    const env = { S3_ENDPOINT: h.server.store.endpoint, R2_BUCKET_NAME: 'images', R2_ACCESS_KEY_ID: 'S3RVER', R2_SECRET_ACCESS_KEY: 'not-a-secret' };
    const against = await spawnGulp(['verify', '--release', 'previous', '--dest', '/nonexistent'], env); // no dist/ needed
    expect(against.status, against.output).to.not.equal(0);
    expect(against.output).to.match(/album\/bjork\/bjork-medium\.jpg/);
    expect(against.output).to.match(new RegExp(`does not match release ${v1}`));
    const latest = await spawnGulp(['verify', '--release', 'latest', '--dest', '/nonexistent'], env);
    expect(latest.status, latest.output).to.equal(0);
    expect(latest.output).to.match(/3 objects in release \S+, 3 in the bucket, 3 verified/);
    const repair = await spawnGulp(['verify', '--release', v1, '--repair'], env);
    expect(repair.status).to.not.equal(0);
    expect(repair.output).to.match(/--release cannot be combined with --repair[\s\S]*gulp restore --release/);
  });
});
