import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CLEAN_ENV, TEST_REPORTS_DIR, spawnGulp } from '../helpers/cli';
import { makeTmpDir, removeTmp } from '../helpers/tmp';
import { SyncHarness } from '../support/sync-harness';

const ROOT = join(__dirname, '..', '..');
const GULP = join(ROOT, 'node_modules', '.bin', 'gulp');
const SECRET = 'very-secret-value-0123456789';

const gulp = spawnGulp;

/** A folder's names, or null when it does not exist. */
async function listing(dir: string): Promise<string[] | null> {
  return readdir(dir).then((names) => names.sort(), () => null);
}

describe('gulp sync from the command line', () => {
  it('refuses production with missing settings, naming the variable and never printing the secret', async () => {
    const run = await gulp(['sync', '--env', 'production'], { R2_ACCESS_KEY_ID: 'AKIDEXAMPLE', R2_SECRET_ACCESS_KEY: SECRET, R2_ACCOUNT_ID: '0123456789abcdef0123456789abcdef' });
    expect(run.status).to.not.equal(0);
    expect(run.output).to.match(/R2_BUCKET_NAME is not set/);
    expect(run.output).to.not.include(SECRET);
  });

  it('refuses a malformed account id and never falls back to the local bucket, even in CI', async () => {
    const run = await gulp(['sync', '--env', 'staging'], { R2_ACCESS_KEY_ID: 'AKIDEXAMPLE', R2_SECRET_ACCESS_KEY: SECRET, R2_ACCOUNT_ID: 'not-an-id', R2_BUCKET_NAME: 'russ-fm-assets' });
    expect(run.status).to.not.equal(0);
    expect(run.output).to.match(/R2_ACCOUNT_ID is malformed/);
    expect(run.output).to.not.match(/embedded local bucket/);
    expect(run.output).to.not.include(SECRET);
  });

  describe('against a real server', () => {
    let h: SyncHarness;
    beforeEach(async () => { h = await SyncHarness.start(); });
    afterEach(async () => { await h.close(); });
    const envFor = (endpoint: string, key = 'S3RVER') => ({ S3_ENDPOINT: endpoint, R2_BUCKET_NAME: 'images', R2_ACCESS_KEY_ID: key, R2_SECRET_ACCESS_KEY: SECRET });

    it('with no build, each command\'s hint is true for it: sync names `gulp build --dest <dir>` and never --manifest; verify offers --manifest', async () => {
      const dest = join(h.dist, 'not-built');
      const sync = await gulp(['sync', '--dest', dest], envFor(h.server.store.endpoint));
      expect(sync.status).to.not.equal(0);
      expect(sync.output).to.include(`run \`gulp build --dest ${dest}\` first`);
      expect(sync.output).to.not.match(/--manifest/);
      const verify = await gulp(['verify', '--dest', dest], envFor(h.server.store.endpoint));
      expect(verify.status).to.not.equal(0);
      expect(verify.output).to.include(`run \`gulp build --dest ${dest}\` first, or name one with --manifest`);
    });

    it('rejected credentials give a clear error and a non-zero exit, without the secret', async () => {
      await h.writeDist({ 'album/a/a-small.jpg': 'a' });
      const run = await gulp(['sync', '--env', 'production', '--dest', h.dist], envFor(h.server.store.endpoint, 'WRONGKEY'));
      expect(run.status).to.not.equal(0);
      expect(run.output).to.match(/403|InvalidAccessKeyId|Forbidden/);
      expect(run.output).to.not.include(SECRET);
    });

    it('--json prints the report, writes it to REPORTS_DIR (never the repo\'s reports/) and appends a GitHub step summary, all without the secret', async () => {
      await h.writeDist({ 'album/a/a-small.jpg': 'a', 'album/b/b-small.jpg': 'b' });
      const summary = join(h.dist, 'step-summary.md');
      const repoReportsBefore = await listing(join(ROOT, 'reports'));
      const run = await gulp(['sync', '--dest', h.dist, '--json'], { ...envFor(h.server.store.endpoint), GITHUB_STEP_SUMMARY: summary });
      expect(await listing(join(ROOT, 'reports'))).to.deep.equal(repoReportsBefore);
      expect(run.status, run.output).to.equal(0);
      const line = run.output.split('\n').find((l) => l.startsWith('{'));
      const report = JSON.parse(line ?? '{}') as { ok: boolean; completed: { create: number }; report: string; plan: { requests: { classA: number } } };
      expect(report.ok).to.equal(true);
      expect(report.completed.create).to.equal(2);
      expect(report.plan.requests.classA).to.equal(3 + 6); // one list page + two PUTs + the lock and records (COMMIT_OVERHEAD)
      expect(dirname(report.report)).to.equal(TEST_REPORTS_DIR);
      const saved = await readFile(report.report, 'utf8');
      await rm(report.report);
      expect(JSON.parse(saved)).to.deep.include({ ok: true, environment: 'development' });
      expect(await readFile(summary, 'utf8')).to.match(/### Image sync \(development\)[\s\S]*\| 2 \| 0 \| 0 \| 0 \|/);
      expect(run.output + saved).to.not.include(SECRET);
    });

    it('--reports sends the report to that folder, over REPORTS_DIR', async () => {
      await h.writeDist({ 'album/a/a-small.jpg': 'a' });
      const dir = await makeTmpDir('reports-flag');
      try {
        const run = await gulp(['sync', '--dest', h.dist, '--reports', dir], envFor(h.server.store.endpoint));
        expect(run.status, run.output).to.equal(0);
        const names = await readdir(dir);
        expect(names).to.have.length(1);
        expect(names[0]).to.match(/^sync-\d{4}-\d{2}-\d{2}T[\d-]+Z\.json$/);
        expect(run.output).to.include(`report: ${join(dir, names[0] as string)}`);
      } finally {
        await removeTmp(dir);
      }
    });

    // From the new user's trial: "dry run: nothing was written" printed above "report: reports/…json".
    it('a dry run writes no report (unless --reports asks for one), and says of none', async () => {
      await h.writeDist({ 'album/a/a-small.jpg': 'a' });
      const dir = await makeTmpDir('reports-dry');
      try {
        const dry = await gulp(['sync', '--dest', h.dist, '--dry-run'], { ...envFor(h.server.store.endpoint), REPORTS_DIR: dir });
        expect(dry.status, dry.output).to.equal(0);
        expect(await readdir(dir)).to.deep.equal([]);
        expect(dry.output).to.not.include('report:');
        const asked = await gulp(['sync', '--dest', h.dist, '--dry-run', '--reports', dir], envFor(h.server.store.endpoint));
        expect(asked.status, asked.output).to.equal(0);
        expect(await readdir(dir)).to.have.length(1);
      } finally {
        await removeTmp(dir);
      }
    });

    it('says when there is nothing to do (not "dry run"), and exits non-zero when --delete was refused', async () => {
      await h.writeDist({ 'album/a/a-small.jpg': 'a', 'album/b/b-small.jpg': 'b', 'album/c/c-small.jpg': 'c' });
      const first = await gulp(['sync', '--dest', h.dist], envFor(h.server.store.endpoint));
      expect(first.status, first.output).to.equal(0);
      const again = await gulp(['sync', '--dest', h.dist], envFor(h.server.store.endpoint));
      expect(again.status, again.output).to.equal(0);
      expect(again.output).to.match(/nothing to do: the bucket already holds the build, and the latest release, \S+, describes it/);
      expect(again.output).to.not.match(/dry run/);
      // From the new user's trial: a scoped run vouches only for its scope, though the bucket outside it is wrong.
      await h.store.deleteMany(['album/c/c-small.jpg']);
      const scoped = await gulp(['sync', '--dest', h.dist, '--filter', '^album/a/'], envFor(h.server.store.endpoint));
      expect(scoped.status, scoped.output).to.equal(0);
      expect(scoped.output).to.match(/nothing to do within --filter \S+: the bucket holds the build's objects there \(the rest was not looked at\)/);
      expect(scoped.output).to.not.match(/already holds the build/);
      expect((await gulp(['sync', '--dest', h.dist], envFor(h.server.store.endpoint))).status).to.equal(0); // puts c back
      await h.writeDist({ 'album/a/a-small.jpg': 'a' });
      const refused = await gulp(['sync', '--dest', h.dist, '--delete', '--max-delete', '1'], envFor(h.server.store.endpoint));
      expect(refused.status).to.not.equal(0);
      expect(refused.output).to.match(/deleted nothing: refused to delete 2 of 3 objects[\s\S]*everything else was synced and recorded/);
      // From the new user's trial: it also said "nothing to do: the bucket already holds the build".
      expect(refused.output).to.match(/nothing written: everything else already matches the build; 2 object\(s\) the build no longer has were not deleted/);
      expect(refused.output).to.not.match(/already holds the build/);
      expect(Object.keys(await h.contents())).to.have.length(3);
    });

    it('a sync killed with SIGKILL mid-upload leaves no partial object, and a rerun converges', async function () {
      this.timeout(60_000);
      const files: Record<string, string> = {};
      for (let i = 0; i < 40; i += 1) files[`album/s${i}/s${i}-small.jpg`] = `cover ${i} `.repeat(2000 + i);
      await h.writeDist(files);
      h.proxy.delayMs = 40;
      const child = spawn(GULP, ['sync', '--dest', h.dist, '--concurrency', '2'], { cwd: ROOT, env: { ...CLEAN_ENV, ...envFor(h.proxy.endpoint) }, stdio: 'ignore' });
      while (h.proxy.counts.put < 8) await new Promise((resolve) => setTimeout(resolve, 20));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('exit', resolve));
      const partial = await h.contents();
      expect(Object.keys(partial).length).to.be.within(1, 39);
      for (const [key, body] of Object.entries(partial)) expect(body, key).to.equal(files[key]);
      h.proxy.delayMs = 0;
      const rerun = await h.sync();
      expect(rerun.result?.failures).to.deep.equal([]);
      expect(rerun.totals.creates).to.equal(40 - Object.keys(partial).length);
      expect(await h.contents()).to.deep.equal(files);
      for (const key of Object.keys(files)) {
        expect((await h.head(key))?.etag).to.equal(createHash('md5').update(files[key] as string).digest('hex'));
      }
    });
  });
});
