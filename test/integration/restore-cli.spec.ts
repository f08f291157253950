import { expect } from 'chai';
import { spawnGulp } from '../helpers/cli';
import { SyncHarness } from '../support/sync-harness';

const V1 = { 'album/a/a-small.jpg': 'a v1', 'album/b/b-small.jpg': 'b v1' };
const V2 = { 'album/a/a-small.jpg': 'a v2', 'album/c/c-small.jpg': 'c v2' };

describe('gulp releases and gulp restore from the command line', () => {
  let h: SyncHarness;
  let v1 = '';
  let v2 = '';
  const env = () => ({ S3_ENDPOINT: h.server.store.endpoint, R2_BUCKET_NAME: 'images', R2_ACCESS_KEY_ID: 'S3RVER', R2_SECRET_ACCESS_KEY: 'not-a-secret' });
  beforeEach(async () => {
    h = await SyncHarness.start();
    [v1 = '', v2 = ''] = await h.publish(V1, V2);
  });
  afterEach(async () => { await h.close(); });

  it('lists the releases newest first, marking the latest', async () => {
    const run = await spawnGulp(['releases', '--json', '--silent'], env());
    expect(run.status, run.output).to.equal(0);
    const listed = JSON.parse(run.output.trim().split('\n').pop() ?? '{}');
    expect(listed.latest).to.equal(v2);
    expect(listed.releases.map((r: { id: string }) => r.id)).to.deep.equal([v2, v1]);
    expect(listed.releases[0]).to.deep.include({ objects: 2, latest: true, changes: { created: 1, updated: 1, retagged: 0, deleted: 1 } });
  });

  it('shows the plan and refuses to apply without --yes off a terminal; --dry-run changes nothing; --yes applies it', async () => {
    const capped = await spawnGulp(['restore', '--release', v1, '--yes'], env()); // 1 of 2 objects: over the default 10 % cap
    expect(capped.status).to.not.equal(0);
    expect(capped.output).to.match(/refused to delete 1 object[\s\S]*nothing was changed/);
    expect(await h.contents()).to.deep.equal(V2);
    const refused = await spawnGulp(['restore', '--release', v1, '--max-delete', '10,100%'], env());
    expect(refused.status, refused.output).to.not.equal(0);
    expect(refused.output).to.match(/restore to .*: 2 copied back from the archive, 0 re-headered, 1 deleted/);
    expect(refused.output).to.match(/not applying the restore without --yes/);
    const dry = await spawnGulp(['restore', '--release', v1, '--dry-run', '--max-delete', '10,100%'], env());
    expect(dry.status, dry.output).to.equal(0);
    expect(dry.output).to.match(/dry run: nothing was changed/);
    expect(await h.contents()).to.deep.equal(V2);

    const applied = await spawnGulp(['restore', '--release', 'previous', '--yes', '--max-delete', '10,100%'], env());
    expect(applied.status, applied.output).to.equal(0);
    expect(await h.contents()).to.deep.equal(V1);
    expect(applied.output).to.match(/CDN: \d+ changed object\(s\); set R2_PUBLIC_DOMAIN[^\n]*\n[\s\S]*album\/c\/c-small\.jpg/);
    expect(applied.output).to.match(/recorded as release/);
  });

});
