import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { releaseIds, readLatest } from '../../lib/releases/release-store';
import { CLEAN_ENV, spawnGulp } from '../helpers/cli';
import { withDeadline } from '../helpers/deadline';
import { GULP_BIN, REPO_ROOT } from '../helpers/paths';
import { differencesFromRelease, latestRelease } from '../support/bucket-checks';
import { V1, V2 } from '../support/release-states';
import { SyncHarness, usePublished } from '../support/sync-harness';

const DELETES = ['--delete', '--max-delete', '10,100%'];

// Finding 3 of [05/10], as a user meets it: `gulp sync` killed with SIGKILL between its last write and
// the pointer update. Before the fix the rerun planned nothing and published nothing, `verify --release
// latest` called every changed object corrupt, and the newer record sat in _releases/ unmentioned.
describe('gulp sync killed between its release record and the pointer, from the command line', function () {
  this.timeout(90_000);
  const published = usePublished('s3rver', V1);
  let h: SyncHarness;
  let v1 = '';
  beforeEach(async () => { ({ h, ids: [v1 = ''] } = published); });

  it('read-only commands say the latest release is behind; the next sync adopts the stopped run\'s record', async () => {
    await h.writeDist(V2);
    const child = spawn(GULP_BIN, ['sync', '--dest', h.dist, ...DELETES], { cwd: REPO_ROOT, env: { ...CLEAN_ENV, ...h.cliEnv('proxy') }, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    h.proxy.onRequest = (op, key, req) => {
      if (op !== 'put' || key !== '_releases/latest.json') return;
      child.kill('SIGKILL');
      req.socket.destroy();
    };
    await withDeadline(exited, 30_000, 'gulp sync until it was killed');
    h.proxy.reset();
    expect(await h.contents()).to.deep.equal(V2); // every write landed
    expect((await readLatest(h.direct)).pointer?.id).to.equal(v1);
    const [orphan] = (await releaseIds(h.direct)).filter((id) => id !== v1);

    const listed = await spawnGulp(['releases'], h.cliEnv());
    expect(listed.status, listed.output).to.equal(0);
    expect(listed.output).to.match(new RegExp(`! ${orphan}`));
    expect(listed.output).to.match(/note: the last run that wrote to this bucket stopped before recording a release/);
    const stale = await spawnGulp(['verify', '--release', 'latest'], h.cliEnv());
    expect(stale.status).to.not.equal(0);
    expect(stale.output).to.match(/the next `gulp sync` \(or `gulp verify --repair`, `gulp restore`\) records it/);

    const rerun = await spawnGulp(['sync', '--dest', h.dist, ...DELETES], h.cliEnv());
    expect(rerun.status, rerun.output).to.equal(0);
    expect(rerun.output).to.match(new RegExp(`release ${orphan} \\(recorded by a run that stopped before publishing it\\) is now the latest`));
    expect((await readLatest(h.direct)).pointer?.id).to.equal(orphan);
    expect(await differencesFromRelease(h.direct, await latestRelease(h.direct) as never)).to.deep.equal([]);
    const clean = await spawnGulp(['verify', '--release', 'latest'], h.cliEnv());
    expect(clean.status, clean.output).to.equal(0);
    expect(clean.output).to.not.match(/note:/);
  });
});
