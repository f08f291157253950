import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { listAll } from '../../lib/storage/object-store';
import { CLEAN_ENV, spawnGulp } from '../helpers/cli';
import { withDeadline } from '../helpers/deadline';
import { GULP_BIN, REPO_ROOT } from '../helpers/paths';
import { SetupWorld } from '../support/setup-world';

const ADMIN_SECRET = 'admin-secret-0123456789abcdef';

describe('`gulp setup` through the real CLI (s3rver as a staging/production store)', function () {
  this.timeout(120_000);
  let w: SetupWorld;
  beforeEach(async () => { w = await SetupWorld.start(); });
  afterEach(async () => { await w.close(); });

  /** The settings a deploy would have, pointed at the test server; the admin token is the server's one key. */
  const settings = (over: Record<string, string> = {}) => ({
    S3_ENDPOINT: w.server.store.endpoint, R2_BUCKET_NAME: 'images', R2_ARCHIVE_BUCKET: 'records',
    R2_ACCESS_KEY_ID: 'S3RVER', R2_SECRET_ACCESS_KEY: 'S3RVER', R2_PUBLIC_DOMAIN: w.server.publicBase,
    R2_ADMIN_ACCESS_KEY_ID: 'S3RVER', R2_ADMIN_SECRET_ACCESS_KEY: 'S3RVER', ...over,
  });

  it('plans with --dry-run (exit 0, nothing applied), applies, then re-applies as a no-op with --json', async () => {
    const dry = await spawnGulp(['setup', '--env', 'staging', '--dry-run'], settings());
    expect(dry.status, dry.output).to.equal(0);
    expect(dry.output).to.include('--env staging: bucket "images" at http://127.0.0.1:');
    expect(dry.output).to.include('--dry-run: nothing is changed or written (CORS is only planned; the credentials probe only lists and reads)');
    expect(dry.output).to.include('– CORS: would apply (--dry-run: not changed)\n    + origins https://russ.fm, http://localhost:5173; methods GET, HEAD; headers *; max age 3600 s (none set before)');
    expect(await w.settings().getCors()).to.deep.equal({ state: 'none' });

    const applied = await spawnGulp(['setup', '--env', 'staging'], settings());
    expect(applied.status, applied.output).to.equal(0);
    expect(applied.output).to.match(/✓ CORS: applied: origins https:\/\/russ\.fm, http:\/\/localhost:5173/);
    expect(applied.output).to.match(/✓ public domain: http:\/\/127\.0\.0\.1:\d+\/images\/album\/abba\/abba-medium\.jpg answered 200 with Cache-Control "public, max-age=86400"/);
    expect(applied.output).to.include('✓ CORS for https://russ.fm: Access-Control-Allow-Origin: https://russ.fm');
    expect(applied.output).to.include('setup: 8 ✓, 0 ✗, 0 not checked or not applied; bucket settings read with the admin token');

    const again = await spawnGulp(['setup', '--env', 'staging', '--json', '--silent'], settings());
    expect(again.status, again.output).to.equal(0);
    // The admin key here is the sync key, so a note precedes the JSON line.
    const report = JSON.parse(again.output.trim().split('\n').find((line) => line.startsWith('{')) ?? '') as { ok: boolean; items: { name: string; ok: unknown; detail: string }[] };
    expect(report.ok).to.equal(true);
    expect(report.items.find((i) => i.name === 'CORS')?.detail).to.match(/^as configured: /);
  });

  it('exits 1 naming the failed checks, with each fix, and never prints the admin secret', async () => {
    const run = await spawnGulp(['setup', '--env', 'production'], settings({
      R2_PUBLIC_DOMAIN: '', R2_ADMIN_ACCESS_KEY_ID: 'ADMINKEYEXAMPLE', R2_ADMIN_SECRET_ACCESS_KEY: ADMIN_SECRET,
    }));
    expect(run.status, run.output).to.equal(1);
    expect(run.output).to.include('✗ CORS: cannot read the bucket\'s CORS rules with these credentials');
    expect(run.output).to.include('✗ public domain: R2_PUBLIC_DOMAIN is not set: nothing checks what visitors get');
    expect(run.output).to.match(/\n {4}→ set R2_PUBLIC_DOMAIN to the custom domain connected to the bucket/);
    expect(run.output).to.include('setup: 2 check(s) failed: CORS, public domain');
    expect(run.output).to.include('→ each ✗ line above says how to fix it; then run `gulp setup --env production` again');
    expect(run.output).not.to.include(ADMIN_SECRET);
  });

  it('writes a JSON report to --reports holding the bucket\'s CORS as it was before the change', async () => {
    const before = { origins: ['https://admin.example.org'], methods: ['PUT', 'POST'], headers: [], exposeHeaders: ['ETag'] };
    await w.settings().putCors([before]);
    const dir = await mkdtemp(join(tmpdir(), 'setup-reports-'));
    try {
      const run = await spawnGulp(['setup', '--env', 'staging', '--reports', dir], settings());
      expect(run.status, run.output).to.equal(0);
      const files = await readdir(dir);
      expect(files.filter((f) => /^setup-.*\.json$/.test(f))).to.have.length(1);
      expect(run.output).to.include(`report: ${join(dir, files[0] ?? '')}`);
      const report = JSON.parse(await readFile(join(dir, files[0] ?? ''), 'utf8')) as { corsBefore: unknown };
      expect(report.corsBefore).to.deep.equal({ state: 'set', value: [before] });
    } finally { await rm(dir, { recursive: true, force: true }); }
  });

  it('Ctrl-C while the probe is written: exit 130 naming what was left unchecked, the report printed, no probe left in the bucket', async () => {
    w.proxy.delayMs = 200;
    const child = spawn(GULP_BIN, ['setup', '--env', 'staging'], { cwd: REPO_ROOT, env: { ...CLEAN_ENV, ...settings({ S3_ENDPOINT: w.config.endpoint }) } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await withDeadline((async () => { while (!w.requests.some((r) => /^PUT .*setup-probe-/.test(r))) await new Promise((r) => setTimeout(r, 20)); })(), 30_000, 'the probe write');
    child.kill('SIGINT');
    const status = await withDeadline(exited, 30_000, 'gulp setup after Ctrl-C');
    w.proxy.delayMs = 0;
    expect(status, output).to.equal(130);
    expect(output).to.include('– lifecycle: not checked: stopped by Ctrl-C');
    expect(output).to.match(/setup stopped by Ctrl-C: not checked: .*public domain.*lifecycle/);
    expect(await listAll(w.images(), { prefix: '_state/' })).to.deep.equal([]);
    expect(await listAll(w.store(), { prefix: '_state/' })).to.deep.equal([]);
  });

  it('refuses one admin key without the other before any work', async () => {
    const run = await spawnGulp(['setup', '--env', 'staging'], settings({ R2_ADMIN_SECRET_ACCESS_KEY: '' }));
    expect(run.status).to.equal(1);
    expect(run.output).to.include('R2_ADMIN_ACCESS_KEY_ID is set but R2_ADMIN_SECRET_ACCESS_KEY is not');
    expect(run.output).not.to.include('setup --env staging:');
  });
});
