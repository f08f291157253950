import { expect } from 'chai';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEED_CORS } from '../../lib/config/edge-policy';
import { formatVerify, verifyReport, writeVerifyReport } from '../../lib/verify/verify-report';
import { publicUrl } from '../../lib/verify/public-check';
import { isClean, type VerifyOutcome } from '../../lib/verify/run-verify';
import { CachingCdn } from '../servers/caching-cdn';
import { giveBucketCors } from '../support/bucket-cors';
import { SyncHarness } from '../support/sync-harness';

const V1 = {
  'album/abba/abba-medium.jpg': 'abba medium v1',
  'album/bjork/bjork-small.jpg': 'bjork small v1',
  'artist/cher & co/cher & co-small.jpg': 'cher small v1', // a key that needs URL encoding
};
const problems = (list: readonly { kind: string; key: string }[]) => list.map((p) => [p.kind, p.key]);
const reportOf = (outcome: VerifyOutcome) => verifyReport(outcome, { environment: 'production', bucket: 'images', mode: { deep: false, public: true } });

describe('gulp verify --public against the bucket\'s public URLs', () => {
  let h: SyncHarness;
  beforeEach(async () => {
    h = await SyncHarness.start();
    await h.writeDist(V1);
    await h.sync();
    await giveBucketCors(h.server.store, SEED_CORS); // what `gulp setup` gives a bucket
  });
  afterEach(async () => { await h.close(); });

  it('the local server\'s URLs serve every object with the right status, headers, CORS and bytes', async () => {
    const outcome = await h.verify({ publicBase: h.server.publicBase });
    expect(outcome.publicProblems).to.deep.equal([]);
    expect(outcome.checked.public).to.equal(3);
    expect(outcome.public?.origins).to.deep.equal(SEED_CORS.origins);
    expect(outcome.public?.latency).to.include({ count: 3, timedOut: 0 });
  });

  it('names an object served with other bytes or headers; one missing from the bucket is one problem (the bucket\'s), not two', async () => {
    await h.direct.deleteMany(['album/abba/abba-medium.jpg']);
    await h.rotOnDisk('album/bjork/bjork-small.jpg');
    const outcome = await h.verify({ publicBase: h.server.publicBase });
    expect(problems(outcome.publicProblems)).to.deep.equal([['public-wrong', 'album/bjork/bjork-small.jpg']]);
    expect(outcome.publicProblems[0]?.reason).to.match(/served bytes hash to sha256/);
    expect(outcome.findings.map((f) => [f.kind, f.key])).to.deep.equal([['missing', 'album/abba/abba-medium.jpg']]);
  });

  it('names every object missing publicly when the public domain serves another bucket, though this one holds them all', async () => {
    const outcome = await h.verify({ publicBase: h.server.publicBase.replace(/\/[^/]+$/, '/another-bucket') });
    expect(outcome.findings).to.deep.equal([]);
    const notCors = outcome.publicProblems.filter((p) => p.kind !== 'public-cors'); // that bucket has no CORS rule either
    expect(problems(notCors)).to.deep.equal(Object.keys(V1).sort().map((key) => ['public-missing', key]));
  });

  it('says the public domain cannot be reached, once, instead of a problem per object', async () => {
    const closed = createServer(); // a port nothing listens on once it is closed again
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    let error: unknown;
    await h.verify({ publicBase: `http://127.0.0.1:${port}` }).catch((e: unknown) => { error = e; });
    expect((error as Error).message).to.match(new RegExp(`^cannot reach the public domain http://127\\.0\\.0\\.1:${port}: request failed: .*ECONNREFUSED.* \\(all 3 request\\(s\\)\\): nothing was checked publicly$`));
  });

  it('reports answers from a CDN cache that no longer match as stale, apart from missing ones', async () => {
    const cdn = new CachingCdn(h.server.publicBase);
    const base = await cdn.start();
    try {
      // This CDN keeps only three headers, and CORS through a CDN is not what this test is about.
      const verify = () => h.verify({ publicBase: base, cors: undefined });
      expect((await verify()).publicProblems).to.deep.equal([]); // fills the cache
      expect((await fetch(`${base}/album/dido/dido-small.jpg`)).status).to.equal(404); // a visitor came too early: 404 cached
      await h.writeDist({ ...V1, 'album/abba/abba-medium.jpg': 'abba medium v2', 'album/dido/dido-small.jpg': 'dido v1' });
      await h.sync();
      await h.direct.deleteMany(['album/bjork/bjork-small.jpg']);
      const outcome = await verify();
      expect(problems(outcome.publicProblems)).to.deep.equal([
        ['public-stale', 'album/abba/abba-medium.jpg'], // the CDN still serves v1
        ['public-stale', 'album/dido/dido-small.jpg'], // the CDN still serves its cached 404
      ]);
      expect(outcome.publicProblems[0]?.reason).to.match(/purge http/);
      // Gone from the bucket but still served right from the cache: the listing names it, the public check cannot yet.
      expect(outcome.findings.map((f) => [f.kind, f.key])).to.deep.equal([['missing', 'album/bjork/bjork-small.jpg']]);
      cdn.purge();
      // Purged, the CDN asks the bucket, which lacks it: the listing's finding, counted once.
      const purged = await verify();
      expect(problems(purged.publicProblems)).to.deep.equal([]);
      expect(purged.findings.map((f) => [f.kind, f.key])).to.deep.equal([['missing', 'album/bjork/bjork-small.jpg']]);
    } finally {
      await cdn.close();
    }
  });

  it('names each object asked for from an origin the bucket does not allow, and that origin\'s preflight', async () => {
    const staging = 'https://staging.russ.fm';
    const outcome = await h.verify({ publicBase: h.server.publicBase, cors: { ...SEED_CORS, origins: [...SEED_CORS.origins, staging] } });
    // Object i comes from origin i mod 3: the third object from staging; every preflight goes to the first object.
    expect(problems(outcome.publicProblems)).to.deep.equal([['public-cors', 'artist/cher & co/cher & co-small.jpg'], ['public-cors', 'album/abba/abba-medium.jpg']]);
    const [get, preflight] = outcome.publicProblems;
    expect(get?.reason).to.equal(`no Access-Control-Allow-Origin for origin ${staging} (expected "${staging}" or "*")`);
    expect(get?.url).to.equal(`${h.server.publicBase}/artist/cher%20%26%20co/cher%20%26%20co-small.jpg`);
    expect(preflight?.reason).to.equal(`preflight (OPTIONS for a GET) from ${staging}: HTTP 403: the preflight was refused`);
    expect(outcome.findings).to.deep.equal([]);
  });

  it('a bucket with no CORS rule fails every public read and preflight, and says to run gulp setup', async () => {
    await giveBucketCors(h.server.store, undefined);
    const outcome = await h.verify({ publicBase: h.server.publicBase });
    expect(problems(outcome.publicProblems)).to.deep.equal([
      ...Object.keys(V1).map((key) => ['public-cors', key]), ['public-cors', 'album/abba/abba-medium.jpg'], ['public-cors', 'album/abba/abba-medium.jpg'],
    ]);
    expect(outcome.publicProblems.map((p) => p.reason.match(/origin (\S+)|from (\S+):/)?.slice(1).find(Boolean))).to.deep.equal([
      'https://russ.fm', 'http://localhost:5173', 'https://russ.fm', 'https://russ.fm', 'http://localhost:5173',
    ]);
    const report = reportOf(outcome);
    expect([report.ok, report.counts['public-cors']]).to.deep.equal([false, 5]);
    expect(formatVerify(report)).to.match(/5 without the CORS headers browsers need/).and.match(/^next: run `gulp setup --env production` to give the bucket the CORS rule/m);
  });

  it('names an answer a CDN cached for another origin (it does not vary on Origin), saying to purge it', async () => {
    const cdn = new CachingCdn(h.server.publicBase, Date.now, { varyOnOrigin: false });
    try {
      const base = await cdn.start();
      for (const key of Object.keys(V1)) await (await fetch(publicUrl(base, key), { headers: { origin: 'https://russ.fm' } })).arrayBuffer();
      const outcome = await h.verify({ publicBase: base });
      expect(problems(outcome.publicProblems)).to.deep.equal([['public-cors', 'album/bjork/bjork-small.jpg']]); // the object asked for from localhost
      expect(outcome.publicProblems[0]?.reason).to.equal('Access-Control-Allow-Origin "https://russ.fm" for origin http://localhost:5173 '
        + `(expected "http://localhost:5173" or "*"), from the CDN cache: purge ${base}/album/bjork/bjork-small.jpg`);
    } finally {
      await cdn.close();
    }
  });

  it('a rule that allows any origin is checked from an origin it does not name', async () => {
    const any = { ...SEED_CORS, origins: ['*'] };
    await giveBucketCors(h.server.store, any);
    const outcome = await h.verify({ publicBase: h.server.publicBase, cors: any });
    expect([outcome.publicProblems, outcome.public?.origins]).to.deep.equal([[], ['https://verify-public.invalid']]);
    await giveBucketCors(h.server.store, SEED_CORS);
    expect(problems((await h.verify({ publicBase: h.server.publicBase, cors: any })).publicProblems)).to.have.length(4);
  });

  it('a p95 over the CDN threshold is a warning in the summary, the JSON and the step summary, never a failure', async () => {
    h.proxy.delayMs = 80; // every public answer at least 80 ms late
    const base = `${h.proxy.endpoint}/${h.server.store.bucket}`;
    const fast = await h.verify({ publicBase: base, slowP95Ms: 5000 });
    expect([isClean(fast), fast.public?.warnings]).to.deep.equal([true, []]);
    const outcome = await h.verify({ publicBase: base, slowP95Ms: 50 });
    expect(isClean(outcome)).to.equal(true);
    const latency = outcome.public?.latency;
    expect(latency).to.include({ count: 3, timedOut: 0 });
    expect(latency?.p50Ms).to.be.at.least(80);
    expect(latency?.p95Ms).to.be.at.least(latency?.p50Ms ?? Infinity).and.at.most(latency?.maxMs ?? 0);
    const report = reportOf(outcome);
    expect(report.ok).to.equal(true);
    expect(formatVerify(report)).to.match(/^warning: public answers are slow: p95 \d+ ms over 3 answers, above the CDN threshold of 50 ms/m)
      .and.match(/public latency: 3 answers: p50 \d+ ms/).and.not.match(/^next:/m);
    const dir = await mkdtemp(join(tmpdir(), 'verify-public-'));
    const stepSummary = join(dir, 'summary.md');
    const saved = process.env.GITHUB_STEP_SUMMARY;
    process.env.GITHUB_STEP_SUMMARY = stepSummary;
    try {
      const json = JSON.parse(await readFile(await writeVerifyReport(report, dir, []) as string, 'utf8'));
      expect(json.ok).to.equal(true);
      expect(json.public).to.deep.include({ latency, slowP95Ms: 50 });
      expect(json.public.warnings).to.deep.equal(report.public?.warnings).and.have.length(1);
      expect(await readFile(stepSummary, 'utf8')).to.include('Public latency: 3 answers').and.include('> ⚠️ public answers are slow');
    } finally {
      if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
      else process.env.GITHUB_STEP_SUMMARY = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
