import { expect } from 'chai';
import { mkdir, mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnGulp } from '../helpers/cli';
import { REPO_ROOT, TMP_PREFIX } from '../helpers/paths';
import { makeTmpDir, removeTmp } from '../helpers/tmp';
import { SyncHarness } from '../support/sync-harness';

const SECRET = 'very-secret-value-0123456789';
/** What a GitHub job with the R2 secrets in its env has (CLEAN_ENV sets CI=true). */
const R2 = { R2_ACCOUNT_ID: '0123456789abcdef0123456789abcdef', R2_ACCESS_KEY_ID: 'AKIDEXAMPLE', R2_SECRET_ACCESS_KEY: SECRET, R2_BUCKET_NAME: 'russ-fm-assets' };
const EMBEDDED = join(REPO_ROOT, '.local-bucket');

/** Every file under a folder with its size and mtime (null: no folder), to show a run left it alone. */
async function snapshot(dir: string): Promise<Record<string, string> | null> {
  const entries = await readdir(dir, { recursive: true }).catch(() => null);
  if (!entries) return null;
  const out: Record<string, string> = {};
  for (const name of entries.sort()) {
    const s = await stat(join(dir, name)).catch(() => undefined);
    if (s?.isFile()) out[name] = `${s.size}@${s.mtimeMs}`;
  }
  return out;
}

describe('the target from the command line: --env, CI and the settings files', function () {
  this.timeout(120_000);

  it('in CI without --env (the deploy that forgot it), refuses every bucket task before any work, naming --env, and leaves the embedded bucket and dist alone', async () => {
    const dir = await makeTmpDir('no-env');
    const dest = join(dir, 'dist');
    try {
      const before = await snapshot(EMBEDDED);
      const commands = [['sync', '--dest', dest], ['verify', '--dest', dest], ['restore', '--release', 'latest'], ['prune', '--keep', '1'], ['releases'], ['--dest', dest]];
      for (const args of commands) {
        const run = await spawnGulp(args, R2);
        const name = `gulp ${args.join(' ')}`;
        expect(run.status, name).to.not.equal(0);
        expect(run.output, name).to.include('no --env');
        expect(run.output, name).to.include('pass --env production (or --env development to use the embedded bucket on purpose)');
        expect(run.output, name).to.not.match(/embedded local bucket "|Starting 'build'/);
        expect(run.output, name).to.not.include(SECRET);
      }
      expect(await snapshot(EMBEDDED)).to.deep.equal(before);
      expect(await snapshot(dest), 'the default task built nothing').to.equal(null);
    } finally {
      await removeTmp(dir);
    }
  });

  describe('outside CI', () => {
    let h: SyncHarness;
    beforeEach(async () => {
      h = await SyncHarness.start();
      await h.writeDist({ 'album/a/a-small.jpg': 'a' });
    });
    afterEach(async () => { await h.close(); });

    it('uses the embedded bucket and says once that the R2 settings were found but not used, printing no secret', async () => {
      const run = await spawnGulp(['sync', '--dest', h.dist, '--dry-run'], { ...R2, CI: '' });
      expect(run.status, run.output).to.equal(0);
      expect(run.output).to.include('embedded local bucket "russ-fm-assets"');
      const notes = run.output.split('\n').filter((line) => line.includes('R2 settings found'));
      expect(notes).to.deep.equal(['note: R2 settings found (R2_BUCKET_NAME=russ-fm-assets) but not used: --env development uses the embedded bucket; pass --env production to deploy']);
      expect(run.output).to.not.include(SECRET);
    });

    it('says it once for the default task too (checked before build, used by sync), and not at all with --env development', async () => {
      const src = await makeTmpDir('no-sources');
      try {
        const pipeline = await spawnGulp(['--dry-run', '--allow-empty', '--src', src, '--dest', h.dist], { ...R2, CI: '' });
        expect(pipeline.status, pipeline.output).to.equal(0);
        expect(pipeline.output.match(/R2 settings found/g)).to.have.length(1);
        const explicit = await spawnGulp(['sync', '--env', 'development', '--dest', h.dist, '--dry-run'], R2);
        expect(explicit.status, explicit.output).to.equal(0);
        expect(explicit.output).to.not.include('R2 settings found');
      } finally {
        await removeTmp(src);
      }
    });
  });

  // The settings files are read from the working directory: gulp runs there with our gulpfile
  // (under node_modules/.cache, so that the TypeScript loader is found in the repository's node_modules).
  describe('settings files from the command line', () => {
    let h: SyncHarness;
    let cwd: string;
    beforeEach(async () => {
      h = await SyncHarness.start();
      await h.writeDist({ 'album/a/a-small.jpg': 'a' });
      const scratch = join(REPO_ROOT, 'node_modules', '.cache');
      await mkdir(scratch, { recursive: true });
      cwd = await mkdtemp(join(scratch, `${TMP_PREFIX}settings-`));
    });
    afterEach(async () => {
      await h.close();
      await removeTmp(cwd);
    });
    const gulpIn = (args: string[], env: Record<string, string> = {}) => spawnGulp(['--gulpfile', join(REPO_ROOT, 'gulpfile.ts'), '--cwd', cwd, ...args], env);

    it('--env staging reads .env.staging over .env; the process environment wins over both', async () => {
      const { S3_ENDPOINT, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY } = h.cliEnv();
      await writeFile(join(cwd, '.env'), `S3_ENDPOINT=${S3_ENDPOINT}\nR2_ACCESS_KEY_ID=${R2_ACCESS_KEY_ID}\nR2_SECRET_ACCESS_KEY=${R2_SECRET_ACCESS_KEY}\nR2_BUCKET_NAME=not-this-bucket\n`);
      await writeFile(join(cwd, '.env.staging'), 'R2_BUCKET_NAME=images\n');
      const staging = await gulpIn(['sync', '--env', 'staging', '--dest', h.dist, '--json', '--silent']);
      expect(staging.status, staging.output).to.equal(0);
      expect(JSON.parse(staging.output.trim().split('\n').pop() ?? '{}')).to.include({ ok: true, environment: 'staging', bucket: 'images' });
      expect(await h.contents()).to.deep.equal({ 'album/a/a-small.jpg': 'a' });
      await writeFile(join(cwd, '.env.staging'), 'R2_BUCKET_NAME=not-this-one-either\n');
      const verified = await gulpIn(['verify', '--env', 'staging', '--dest', h.dist, '--json', '--silent'], { R2_BUCKET_NAME: 'images' });
      expect(verified.status, verified.output).to.equal(0);
      expect(JSON.parse(verified.output.trim().split('\n').pop() ?? '{}')).to.include({ ok: true, bucket: 'images' });
    });

    it('in CI, credentials a job wrote only to .env.production are refused without --env too (a default run would not read them)', async () => {
      const { R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY } = h.cliEnv();
      await writeFile(join(cwd, '.env.production'), `R2_ACCOUNT_ID=${'a'.repeat(32)}\nR2_ACCESS_KEY_ID=${R2_ACCESS_KEY_ID}\nR2_SECRET_ACCESS_KEY=${R2_SECRET_ACCESS_KEY}\nR2_BUCKET_NAME=images\n`);
      const run = await gulpIn(['sync', '--dest', h.dist]);
      expect(run.status, run.output).to.not.equal(0);
      expect(run.output).to.include('in .env.staging or .env.production) but no --env').and.not.include(R2_SECRET_ACCESS_KEY);
      expect(await h.contents()).to.deep.equal({});
    });
  });
});
