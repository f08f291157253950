import { expect } from 'chai';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEED_CORS } from '../../lib/config/edge-policy';
import { CACHE_CONTROL } from '../../lib/config/environment';
import { REPO_ROOT } from '../helpers/paths';
import { spawnGulp } from '../helpers/cli';
import { giveBucketCors } from '../support/bucket-cors';
import { SyncHarness } from '../support/sync-harness';

const SECRET = 'very-secret-value-0123456789';
const FILES = { 'album/a/a-small.jpg': 'a small', 'album/b/b-small.jpg': 'b small', 'artist/c/c-small.jpg': 'c small' };
const jsonLine = (output: string) => JSON.parse(output.split('\n').find((l) => l.startsWith('{')) ?? '{}');

describe('gulp verify from the command line', () => {
  let h: SyncHarness;
  beforeEach(async () => {
    h = await SyncHarness.start();
    await h.writeDist(FILES);
    await h.sync({ cacheControl: CACHE_CONTROL.development }); // what `gulp verify` in development expects
  });
  afterEach(async () => { await h.close(); });
  const envFor = (endpoint: string, key = 'S3RVER') => ({ S3_ENDPOINT: endpoint, R2_BUCKET_NAME: 'images', R2_ACCESS_KEY_ID: key, R2_SECRET_ACCESS_KEY: SECRET });

  it('exits 0 on a clean bucket and non-zero naming each problem and the next step; --repair fixes it', async () => {
    const clean = await spawnGulp(['verify', '--dest', h.dist, '--json'], envFor(h.server.store.endpoint));
    expect(clean.status, clean.output).to.equal(0);
    const report = jsonLine(clean.output);
    expect(report).to.deep.include({ ok: true, environment: 'development' });
    expect(report.counts).to.include({ missing: 0, corrupt: 0, extra: 0 });
    await rm(report.report); // in the suite's REPORTS_DIR

    await h.direct.deleteMany(['album/b/b-small.jpg']);
    const broken = await spawnGulp(['verify', '--dest', h.dist], envFor(h.server.store.endpoint));
    expect(broken.status).to.not.equal(0);
    expect(broken.output).to.match(/missing\s+album\/b\/b-small\.jpg: not in the bucket/);
    expect(broken.output).to.match(/next: run `gulp verify --repair`/);
    expect(broken.output).to.match(/1 problem\(s\) \(1 missing\)/);

    const dry = await spawnGulp(['verify', '--dest', h.dist, '--repair', '--dry-run'], envFor(h.server.store.endpoint));
    expect(dry.output).to.match(/repair plan \(dry run, nothing changed\): 1 upload missing/);
    expect(Object.keys(await h.contents())).to.have.length(2);

    const repaired = await spawnGulp(['verify', '--dest', h.dist, '--repair'], envFor(h.server.store.endpoint));
    expect(repaired.status, repaired.output).to.equal(0);
    expect(repaired.output).to.match(/verify after repair: clean/);
    expect(await h.contents()).to.deep.equal(FILES);
  });

  it('--manifest checks the bucket on a machine without dist/', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'verify-manifest-'));
    try {
      await copyFile(join(h.dist, 'images.json'), join(elsewhere, 'release.json'));
      const run = await spawnGulp(['verify', '--dest', join(elsewhere, 'no-dist'), '--manifest', join(elsewhere, 'release.json'), '--deep'], envFor(h.server.store.endpoint));
      expect(run.status, run.output).to.equal(0);
      expect(run.output).to.match(/3 objects in the build, 3 in the bucket, 3 verified/);
      expect(run.output).to.match(/read back 3 objects/);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('--public holds answers to the configured CORS rule and warns on a p95 over the seed\'s 2 s, exiting 0 for a slow but right bucket', async () => {
    await giveBucketCors(h.server.store, SEED_CORS);
    h.proxy.delayMs = 2100; // the public domain, and only it, answers slowly
    const env = { ...envFor(h.server.store.endpoint), R2_PUBLIC_DOMAIN: `${h.proxy.endpoint}/images` };
    const slow = await spawnGulp(['verify', '--dest', h.dist, '--public'], env);
    expect(slow.status, slow.output).to.equal(0);
    expect(slow.output).to.match(/public latency: 3 answers: p50 \d+ ms.*; CORS checked from https:\/\/russ\.fm, http:\/\/localhost:5173/)
      .and.match(/^warning: public answers are slow: p95 2\d{3} ms over 3 answers, above the CDN threshold of 2000 ms/m);
    const path = /^report: (.*)$/m.exec(slow.output)?.[1] ?? '';
    const report = JSON.parse(await readFile(path, 'utf8'));
    expect([report.ok, report.public.slowP95Ms, report.public.warnings.length, report.public.latency.count]).to.deep.equal([true, 2000, 1, 3]);
    await rm(path);

    h.proxy.delayMs = 0;
    await giveBucketCors(h.server.store, undefined);
    const refused = await spawnGulp(['verify', '--dest', h.dist, '--public'], env);
    expect(refused.status).to.not.equal(0);
    expect(refused.output).to.match(/public-cors\s+album\/a\/a-small\.jpg: no Access-Control-Allow-Origin for origin https:\/\/russ\.fm/)
      .and.match(/^next: run `gulp setup --env development`/m).and.match(/5 problem\(s\) \(5 public-cors\)/).and.not.match(/^warning:/m);
  });

  it('an unreachable endpoint is a clear error, not a clean report', async () => {
    const run = await spawnGulp(['verify', '--dest', h.dist], envFor('http://127.0.0.1:9'));
    expect(run.status).to.not.equal(0);
    expect(run.output).to.match(/cannot read bucket "images" at http:\/\/127\.0\.0\.1:9: .*nothing was verified/);
    expect(run.output).to.match(/check S3_ENDPOINT/);
    expect(run.output).to.not.match(/0 missing/);
  });

  it('rejected credentials are a clear error and never print the secret', async () => {
    const run = await spawnGulp(['verify', '--env', 'production', '--dest', h.dist], envFor(h.server.store.endpoint, 'WRONGKEY'));
    expect(run.status).to.not.equal(0);
    expect(run.output).to.match(/nothing was verified/);
    expect(run.output).to.match(/403|InvalidAccessKeyId|Forbidden/);
    expect(run.output).to.not.include(SECRET);
    const reports = await readFile(join(REPO_ROOT, '.gitignore'), 'utf8');
    expect(reports).to.match(/reports/); // reports stay out of git
  });
});
