import { expect } from 'chai';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnGulp } from '../helpers/cli';
import { REPO_ROOT, TMP_PREFIX } from '../helpers/paths';
import { removeTmp } from '../helpers/tmp';
import { requireCeph } from '../servers/ceph';
import { SyncHarness } from '../support/sync-harness';
import { V1 } from '../support/release-states';

/**
 * The embedded development bucket itself (no S3_ENDPOINT: `.local-bucket/` in the working directory) →
 * Ceph, with the backup's settings in `.env.backup`, then Ceph → the embedded bucket of another folder.
 * gulp runs in scratch folders inside the checkout (git-ignored `.cache/`), so its TypeScript loader is found.
 */
describe('gulp mirror: the embedded development bucket → Ceph (settings in .env.backup) → another embedded bucket', function () {
  this.timeout(180_000);
  let backup: SyncHarness;
  const folders: string[] = [];
  before(async function () { await requireCeph(this); });
  beforeEach(async () => { backup = await SyncHarness.start('ceph'); });
  afterEach(async () => {
    await backup?.close();
    for (const folder of folders.splice(0)) await removeTmp(folder);
  });

  async function folder(): Promise<string> {
    const scratch = join(REPO_ROOT, '.cache');
    await mkdir(scratch, { recursive: true });
    const cwd = await mkdtemp(join(scratch, `${TMP_PREFIX}mirror-`));
    folders.push(cwd);
    const { endpoint, bucket } = backup.server.store;
    await writeFile(join(cwd, '.env.backup'), `BACKUP_S3_ENDPOINT=${endpoint}\nBACKUP_R2_BUCKET_NAME=${bucket}\nBACKUP_R2_ACCESS_KEY_ID=TESTKEY\nBACKUP_R2_SECRET_ACCESS_KEY=TESTSECRET\n`);
    return cwd;
  }
  const gulpIn = (cwd: string, args: string[]) => spawnGulp(['--gulpfile', join(REPO_ROOT, 'gulpfile.ts'), '--cwd', cwd, ...args], {});

  it('copies the embedded bucket\'s release to Ceph and back into a fresh embedded bucket, each verified against it', async () => {
    const first = await folder();
    await backup.writeDist(V1); // only its dist/: the bucket the harness made stays empty until the mirror
    const synced = await gulpIn(first, ['sync', '--env', 'development', '--dest', backup.dist]);
    expect(synced.status, synced.output).to.equal(0);
    expect(synced.output).to.match(/embedded local bucket/);

    const out = await gulpIn(first, ['mirror', '--env', 'development', '--to', 'backup']);
    expect(out.status, out.output).to.equal(0);
    expect(out.output).to.match(/3 created/);
    expect(await backup.contents()).to.deep.equal(V1);
    const verified = await gulpIn(first, ['verify', '--env', 'backup', '--dest', backup.dist, '--deep']);
    // The backup serves with production's Cache-Control, the embedded bucket's release with development's: against the
    // build that is a header difference; against the release it mirrored, nothing.
    expect(verified.output).to.match(/stale/i);
    const againstRelease = await gulpIn(first, ['verify', '--env', 'backup', '--release', 'latest', '--dest', '/nonexistent', '--deep']);
    expect(againstRelease.status, againstRelease.output).to.equal(0);

    const second = await folder();
    const back = await gulpIn(second, ['mirror', '--env', 'backup', '--to', 'development']);
    expect(back.status, back.output).to.equal(0);
    expect(back.output).to.match(/3 created/);
    const there = await gulpIn(second, ['verify', '--env', 'development', '--release', 'latest', '--dest', '/nonexistent', '--deep']);
    expect(there.status, there.output).to.equal(0);
    const releases = await gulpIn(second, ['releases', '--env', 'development']);
    expect(releases.output).to.match(/mirror of backup release /);
  });
});
