import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { LOCK_KEY } from '../../lib/bucket/writer-lock';
import { CLEAN_ENV, spawnGulp } from '../helpers/cli';
import { withDeadline } from '../helpers/deadline';
import { GULP_BIN, REPO_ROOT } from '../helpers/paths';
import { SyncHarness } from '../support/sync-harness';

const SECRET = 'very-secret-value-0123456789';
const jsonLines = (output: string) => output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, never>);

/** gulp with stdout and stderr apart. */
function gulpApart(args: readonly string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(GULP_BIN, [...args], { cwd: REPO_ROOT, env: { ...CLEAN_ENV, ...env }, timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('what the gulp CLI prints (errors, --json, plan first, Ctrl-C, exit codes)', function () {
  this.timeout(90_000);

  it('--json --silent still shows the error on stderr, puts a JSON error on stdout, and prints no secret', async () => {
    const dest = join('/tmp', `${SECRET}-missing`);
    // --env development on purpose: in CI, R2 credentials without --env are refused (deploy-target-cli.spec.ts).
    const run = await gulpApart(['sync', '--env', 'development', '--dest', dest, '--json', '--silent'], { R2_ACCESS_KEY_ID: 'AKIDEXAMPLE', R2_SECRET_ACCESS_KEY: SECRET });
    expect(run.status).to.equal(1);
    expect(run.stderr).to.match(/^error: no image manifest at \/tmp\/\*\*\*-missing\/images\.json\n {2}→ run `gulp build --dest \/tmp\/\*\*\*-missing` first\n$/);
    const lines = run.stdout.trim().split('\n');
    expect(lines, run.stdout).to.have.length(1);
    expect(JSON.parse(lines[0] as string)).to.deep.equal({
      ok: false, error: { code: 'E_CONFIG', message: 'no image manifest at /tmp/***-missing/images.json', hint: 'run `gulp build --dest /tmp/***-missing` first' },
    });
    expect(run.stdout + run.stderr).to.not.include(SECRET);
  });

  it('a bad flag or a bad setting is one clean message: no stack, no "signal async completion", printed once', async () => {
    const [flag, env] = await Promise.all([
      spawnGulp(['sync', '--max-delete', 'lots'], {}),
      spawnGulp(['verify', '--env', 'staging'], { R2_ACCOUNT_ID: 'nope', R2_SECRET_ACCESS_KEY: SECRET }),
    ]);
    for (const run of [flag, env]) {
      expect(run.status, run.output).to.equal(1);
      expect(run.output).to.not.match(/\n\s+at |did you forget to signal async completion/);
      expect(run.output).to.not.include(SECRET);
    }
    expect(flag.output.match(/--max-delete "lots"/g)).to.have.length(1);
    expect(env.output.match(/R2_ACCOUNT_ID is malformed/g)).to.have.length(1);
  });

  describe('against a bucket', () => {
    let h: SyncHarness;
    beforeEach(async () => { h = await SyncHarness.start(); });
    afterEach(async () => { await h.close(); });

    it('sync prints its plan before the work, and --json lists every action by key (as the report file does)', async () => {
      await h.writeDist({ 'album/a/a-small.jpg': 'a', 'album/b/b-small.jpg': 'b' });
      const first = await spawnGulp(['sync', '--dest', h.dist], h.cliEnv());
      expect(first.status, first.output).to.equal(0);
      const plan = first.output.indexOf('plan: 2 create');
      expect(plan, first.output).to.be.above(-1);
      expect(first.output.indexOf('sync 1/2 obj'), first.output).to.be.above(plan);
      expect(first.output.indexOf('sync: 2 created'), first.output).to.be.above(plan);

      await h.writeDist({ 'album/a/a-small.jpg': 'a2', 'album/c/c-small.jpg': 'c' });
      const run = await spawnGulp(['sync', '--dest', h.dist, '--json', '--silent', '--delete', '--max-delete', '0'], h.cliEnv());
      expect(run.status, run.output).to.equal(1); // asked to delete b, refused by the cap
      const [report] = jsonLines(run.output);
      const r = report as unknown as { actions: Record<string, string[]>; notDeleted: string[]; done: { written: string[]; deleted: string[] }; report: string };
      expect(r.actions).to.deep.equal({ archive: ['album/a/a-small.jpg'], create: ['album/c/c-small.jpg'], update: ['album/a/a-small.jpg'] });
      expect(r.notDeleted).to.deep.equal(['album/b/b-small.jpg']);
      expect([...r.done.written].sort()).to.deep.equal(['album/a/a-small.jpg', 'album/c/c-small.jpg']);
      const saved = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(resolve(REPO_ROOT, r.report), 'utf8')));
      expect(saved.actions).to.deep.equal(r.actions);
      expect(run.output).to.match(/error: sync to development deleted nothing/); // the error still shows with --silent
    });

    it('Ctrl-C during sync says what was done and how to finish, exits 130 and gives the writer lock back', async () => {
      const files: Record<string, string> = {};
      for (let i = 0; i < 40; i += 1) files[`album/s${i}/s${i}-small.jpg`] = `cover ${i} `.repeat(500 + i);
      await h.writeDist(files);
      h.proxy.delayMs = 40;
      const child = spawn(GULP_BIN, ['sync', '--dest', h.dist, '--concurrency', '2'], { cwd: REPO_ROOT, env: { ...CLEAN_ENV, ...h.cliEnv('proxy') } });
      let output = '';
      child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      await withDeadline((async () => { while (h.proxy.counts.put < 8) await new Promise((r) => setTimeout(r, 20)); })(), 30_000, 'uploads to start');
      child.kill('SIGINT');
      const status = await withDeadline(exited, 30_000, 'gulp sync after Ctrl-C');
      expect(status, output).to.equal(130);
      const stopped = /stopped: sync to development stopped by Ctrl-C after (\d+) of 40 writes\n {2}→ nothing is lost: .*run `gulp sync` again to finish/.exec(output);
      expect(stopped, output).to.not.equal(null);
      const done = Object.keys(await h.contents()).length;
      expect(Number(stopped?.[1])).to.equal(done);
      expect(done).to.be.within(1, 39);
      expect(await h.head(LOCK_KEY), 'the writer lock was given back').to.equal(null);
      expect(output).to.not.match(/did you forget to signal async completion|\n\s+at /i);
      h.proxy.delayMs = 0;
      const rerun = await spawnGulp(['sync', '--dest', h.dist], h.cliEnv());
      expect(rerun.status, rerun.output).to.equal(0);
      expect(rerun.output).to.match(new RegExp(`plan: ${40 - done} create`));
      expect(await h.contents()).to.deep.equal(files);
    });

    it('one exit rule: a dry run that could plan exits 0 even when the cap would refuse its deletes; the real run exits 1', async () => {
      const [v1] = await h.publish({ 'album/a/a-small.jpg': 'a1', 'album/b/b-small.jpg': 'b1' }, { 'album/a/a-small.jpg': 'a2', 'album/c/c-small.jpg': 'c2' });
      const dry = await spawnGulp(['restore', '--release', v1 as string, '--dry-run'], h.cliEnv());
      expect(dry.status, dry.output).to.equal(0);
      expect(dry.output).to.match(/refused to delete 1 object/);
      expect(dry.output).to.match(/archive album\/a\/a-small\.jpg \(its current bytes, to _archive\/[0-9a-f]{64}\)/);
      const real = await spawnGulp(['restore', '--release', v1 as string, '--yes'], h.cliEnv());
      expect(real.status, real.output).to.equal(1);
      const pruneDry = await spawnGulp(['prune', '--keep', '1', '--dry-run', '--max-delete', '0'], h.cliEnv());
      expect(pruneDry.status, pruneDry.output).to.equal(0);
      const pruneReal = await spawnGulp(['prune', '--keep', '1', '--yes', '--max-delete', '0'], h.cliEnv());
      expect(pruneReal.status, pruneReal.output).to.equal(1);
    });

    it('restore\'s progress ends at 100 %, and verify\'s heading has one pair of parentheses', async () => {
      const [v1] = await h.publish({ 'album/a/a-small.jpg': 'a1', 'album/b/b-small.jpg': 'b1' }, { 'album/a/a-small.jpg': 'a2', 'album/c/c-small.jpg': 'c2' });
      const run = await spawnGulp(['restore', '--release', v1 as string, '--yes', '--max-delete', '10,100%'], h.cliEnv());
      expect(run.status, run.output).to.equal(0);
      const lines = run.output.split('\n').filter((l) => /^restore \d+\/\d+ obj/.test(l));
      expect(lines.at(-1), run.output).to.match(/ 100% /);
      const verify = await spawnGulp(['verify', '--release', 'latest', '--deep', '--sample', '50'], h.cliEnv());
      expect(verify.output).to.match(/verify \(listing \+ read back, sample 50 %\): /);
      expect(verify.output).to.not.match(/\)\)/);
    });
  });
});
