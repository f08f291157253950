import { expect } from 'chai';
import { DEFAULT_EDGE } from '../../lib/config/edge-policy';
import { readLatest } from '../../lib/releases/release-store';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnGulp } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/paths';
import { makeTmpDir, removeTmp } from '../helpers/tmp';
import { SyncHarness } from '../support/sync-harness';
import { V1, V2 } from '../support/release-states';
import { expectSameImages, useMirrorPair } from '../support/mirror-pair';

/** Settings for `--env development` on one harness's s3rver and `--env backup` on another's Ceph bucket, both through their proxies. */
function settings(dev: SyncHarness, backup: SyncHarness): Record<string, string> {
  return {
    S3_ENDPOINT: dev.proxy.endpoint, R2_BUCKET_NAME: dev.server.store.bucket, R2_ACCESS_KEY_ID: 'S3RVER', R2_SECRET_ACCESS_KEY: 'dev-secret-value',
    BACKUP_S3_ENDPOINT: backup.proxy.endpoint, BACKUP_R2_BUCKET_NAME: backup.server.store.bucket,
    BACKUP_R2_ACCESS_KEY_ID: 'TESTKEY', BACKUP_R2_SECRET_ACCESS_KEY: 'TESTSECRET',
  };
}

describe('gulp mirror from the command line: --env development --to backup, then verify, releases and restore --env backup', function () {
  this.timeout(120_000);
  const production = DEFAULT_EDGE.production.cacheControl;
  let dev: SyncHarness;
  let backup: SyncHarness;
  useMirrorPair((d, b) => { dev = d; backup = b; });

  /** Publishes `files` in the development bucket with production's headers, as the backup stands in for production. */
  async function publish(files: Record<string, string>): Promise<void> {
    await dev.writeDist(files);
    await dev.sync({ cacheControl: production, delete: true, limits: { count: 100, percent: 100 } });
  }

  it('mirrors, then `gulp verify --env backup` passes (against the build and its latest release), and a rerun writes nothing', async () => {
    await publish(V1);
    const env = settings(dev, backup);
    const dry = await spawnGulp(['mirror', '--env', 'development', '--to', 'backup', '--dry-run'], env);
    expect(dry.status, dry.output).to.equal(0);
    expect(dry.output).to.match(/plan: 3 create, 0 update, 0 retag \(copy, headers only\), 0 delete/);
    expect(dry.output).to.match(/dry run: nothing was changed/);
    expect(await backup.contents()).to.deep.equal({});

    const run = await spawnGulp(['mirror', '--env', 'development', '--to', 'backup'], env);
    expect(run.status, run.output).to.equal(0);
    expect(run.output).to.match(/mirror of --env development release \S+ into --env backup: 3 created/);
    expect(run.output).to.not.match(/TESTSECRET|dev-secret-value/);
    await expectSameImages(dev, backup);

    const verify = await spawnGulp(['verify', '--env', 'backup', '--dest', dev.dist, '--deep'], env);
    expect(verify.status, verify.output).to.equal(0);
    const verifyRelease = await spawnGulp(['verify', '--env', 'backup', '--release', 'latest', '--dest', '/nonexistent'], env);
    expect(verifyRelease.status, verifyRelease.output).to.equal(0);
    const releases = await spawnGulp(['releases', '--env', 'backup'], env);
    expect(releases.output).to.match(/mirror of development release /);

    dev.proxy.reset();
    backup.proxy.reset();
    const again = await spawnGulp(['mirror', '--env', 'development', '--to', 'backup'], env);
    expect(again.status, again.output).to.equal(0);
    expect(again.output).to.match(/nothing to do: --env backup already holds --env development release/);
    // No image, record or lock written: the listing, the state record, and the run's own history record.
    const { list, get, put, copy, delete: deletes } = backup.proxy.counts;
    expect({ get, copy, deletes }).to.deep.equal({ get: 1, copy: 0, deletes: 0 });
    expect(put).to.be.at.most(1);
    expect(list).to.be.at.least(1);
    expect(dev.proxy.counts.get).to.equal(2);
    expect(dev.proxy.counts.put + dev.proxy.counts.copy + dev.proxy.counts.delete).to.equal(0);
  });

  it('`gulp restore --env backup --release previous` rolls the backup back after a changed release was mirrored', async () => {
    const env = settings(dev, backup);
    await publish(V1);
    expect((await spawnGulp(['mirror', '--env', 'development', '--to', 'backup'], env)).status).to.equal(0);
    const first = (await readLatest(backup.direct)).pointer?.id;
    await publish(V2);
    const second = await spawnGulp(['mirror', '--env', 'development', '--to', 'backup', '--max-delete', '50%'], env);
    expect(second.status, second.output).to.equal(0);
    expect(second.output).to.match(/1 created, 1 updated, 0 retagged, 1 deleted/);
    expect(await backup.contents()).to.deep.equal(V2);

    const restore = await spawnGulp(['restore', '--env', 'backup', '--release', first ?? '', '--yes', '--max-delete', '50%'], env);
    expect(restore.status, restore.output).to.equal(0);
    expect(await backup.contents()).to.deep.equal(V1);
  });

  // From the attacker trial: the source's settings files were read into the process first, so the target
  // took `.env`'s R2_BUCKET_NAME over its own `.env.<env>` (a mirror back could write the wrong bucket).
  it('resolves each side from its own settings files: the target\'s .env.<env> wins over .env, whichever side is read first', async () => {
    await publish(V1);
    const run = await spawnGulp(['mirror', '--env', 'development', '--to', 'backup'], settings(dev, backup));
    expect(run.status, run.output).to.equal(0);
    const dir = await makeTmpDir('mirror-settings');
    try {
      await writeFile(join(dir, '.env'), `S3_ENDPOINT=${dev.proxy.endpoint}\nR2_BUCKET_NAME=not-this-bucket\nR2_ACCESS_KEY_ID=S3RVER\nR2_SECRET_ACCESS_KEY=dev-secret-value\n`);
      await writeFile(join(dir, '.env.staging'), `R2_BUCKET_NAME=${dev.server.store.bucket}\n`);
      await symlink(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
      const { S3_ENDPOINT: _e, R2_BUCKET_NAME: _b, R2_ACCESS_KEY_ID: _k, R2_SECRET_ACCESS_KEY: _s, ...backupOnly } = settings(dev, backup);
      const dry = await spawnGulp(['--gulpfile', join(REPO_ROOT, 'gulpfile.ts'), '--cwd', dir, 'mirror', '--env', 'backup', '--to', 'staging', '--dry-run'], backupOnly, 60_000, dir);
      expect(dry.status, dry.output).to.equal(0);
      expect(dry.output).to.contain(`--env staging: bucket "${dev.server.store.bucket}"`).and.not.contain('not-this-bucket');
    } finally {
      await removeTmp(dir);
    }
  });

  it('refuses, before any request, a backup without its own settings and a mirror that names no backup', async () => {
    const { BACKUP_R2_BUCKET_NAME: _, ...missing } = settings(dev, backup);
    const noBucket = await spawnGulp(['mirror', '--env', 'development', '--to', 'backup'], missing);
    expect(noBucket.status).to.not.equal(0);
    expect(noBucket.output).to.match(/BACKUP_R2_BUCKET_NAME is not set/);
    const sideways = await spawnGulp(['mirror', '--env', 'development', '--to', 'production'], settings(dev, backup));
    expect(sideways.status).to.not.equal(0);
    expect(sideways.output).to.match(/names no backup/);
    const onto = { ...settings(dev, backup), BACKUP_S3_ENDPOINT: dev.proxy.endpoint, BACKUP_R2_BUCKET_NAME: dev.server.store.bucket };
    const itself = await spawnGulp(['mirror', '--env', 'development', '--to', 'backup'], onto);
    expect(itself.status).to.not.equal(0);
    expect(itself.output).to.match(/--env development and --to backup share the bucket "[^"]+" on one server/);
    // From the attacker trial: the same server spelled another way, and a records bucket shared, are the same store.
    const spelled = { ...onto, BACKUP_S3_ENDPOINT: dev.proxy.endpoint.replace('127.0.0.1', 'LOCALHOST') };
    expect((await spawnGulp(['mirror', '--env', 'development', '--to', 'backup'], spelled)).output).to.match(/share the bucket/);
    const records = { ...settings(dev, backup), BACKUP_S3_ENDPOINT: dev.proxy.endpoint, BACKUP_R2_BUCKET_NAME: 'another-bucket', BACKUP_R2_ARCHIVE_BUCKET: dev.server.store.bucket };
    const shared = await spawnGulp(['mirror', '--env', 'development', '--to', 'backup'], records);
    expect(shared.status).to.not.equal(0);
    expect(shared.output).to.match(/share the bucket "[^"]+" on one server \(images or records\)/);
    expect(dev.proxy.total + backup.proxy.total).to.equal(0);
  });
});
