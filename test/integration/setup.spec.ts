import { expect } from 'chai';
import { SEED_CORS } from '../../lib/config/edge-policy';
import { listAll } from '../../lib/storage/object-store';
import { CachingCdn } from '../servers/caching-cdn';
import { CACHE, IMAGE_KEY, SetupWorld, body, item, statuses } from '../support/setup-world';

const ALL_PASS = {
  CORS: true, 'credentials (bucket "images")': true, 'credentials (bucket "records")': true, 'public domain': true,
  'CORS for https://russ.fm': true, 'CORS for http://localhost:5173': true, 'records private': true, lifecycle: true,
};
const corsWrites = (w: SetupWorld) => w.requests.filter((r) => /^PUT [^?]*\?cors/.test(r));
const probeWrites = (w: SetupWorld) => w.requests.filter((r) => /^PUT .*setup-probe-/.test(r));

describe('gulp setup on s3rver (CORS applied, then checked through the public URL)', () => {
  let w: SetupWorld;
  beforeEach(async () => { w = await SetupWorld.start(); });
  afterEach(async () => { await w.close(); });

  it('applies the configured CORS to a bare bucket, and then every check passes', async () => {
    const report = await w.run();
    expect(statuses(report)).to.deep.equal(ALL_PASS);
    expect(report.ok).to.equal(true);
    expect(item(report, 'CORS').detail).to.match(/^applied: origins https:\/\/russ\.fm, http:\/\/localhost:5173; methods GET, HEAD; headers \*; max age 3600 s$/);
    expect(item(report, 'CORS').changes).to.deep.equal(['+ origins https://russ.fm, http://localhost:5173; methods GET, HEAD; headers *; max age 3600 s (none set before)']);
    expect(corsWrites(w)).to.have.length(1);
    const read = await w.settings().getCors();
    expect(read.state === 'set' ? read.value.map((r) => [...r.origins].sort()) : read).to.deep.equal([['http://localhost:5173', 'https://russ.fm']]);
    // The probes were written under the tool's prefix in each bucket, and removed.
    expect(probeWrites(w)).to.have.length(2);
    expect((await listAll(w.images())).map((o) => o.key)).to.deep.equal([IMAGE_KEY]);
    expect(await listAll(w.store(), { prefix: '_state/' })).to.deep.equal([]);
  });

  it('re-applying is a no-op: the CORS is kept as it is (no PutBucketCors), every check passes again', async () => {
    await w.run();
    w.requests.length = 0;
    const again = await w.run();
    expect(statuses(again)).to.deep.equal(ALL_PASS);
    expect(item(again, 'CORS').detail).to.match(/^as configured: /);
    expect(item(again, 'CORS').changes).to.equal(undefined);
    expect(corsWrites(w)).to.deep.equal([]);
  });

  it('--dry-run plans the CORS change and writes nothing (no CORS, no probe); the real run then ends with the rule in place', async () => {
    const dry = await w.run({ dryRun: true });
    expect(dry.ok).to.equal(true);
    expect(item(dry, 'CORS')).to.deep.include({ ok: 'skipped', detail: 'would apply (--dry-run: not changed)' });
    expect(item(dry, 'CORS').changes).to.have.length(1);
    expect(item(dry, 'credentials (bucket "images")')).to.deep.include({ ok: true, detail: 'can list and read (write and delete not probed: --dry-run writes nothing)' });
    // s3rver answers a read without CORS headers until the rule exists: expected while it is only planned.
    expect(item(dry, 'CORS for https://russ.fm').ok).to.equal('skipped');
    expect(item(dry, 'CORS for https://russ.fm').detail).to.match(/without Access-Control-Allow-Origin \(expected until the CORS change above is applied\)/);
    expect(w.requests.filter((r) => !r.startsWith('GET ') && !r.startsWith('HEAD '))).to.deep.equal([]);
    expect(await w.settings().getCors()).to.deep.equal({ state: 'none' });

    const real = await w.run();
    expect(statuses(real)).to.deep.equal(ALL_PASS);
    expect((await w.settings().getCors()).state).to.equal('set');
    expect((await listAll(w.images())).map((o) => o.key)).to.deep.equal([IMAGE_KEY]);
  });

  describe('each check failing once', () => {
    it('credentials: a key the store refuses fails the probe at its first step, naming the token permission', async () => {
      const report = await w.run({ store: { accessKeyId: 'NOT-A-KEY' } });
      expect(report.ok).to.equal(false);
      const probe = item(report, 'credentials (bucket "images")');
      expect(probe.ok).to.equal(false);
      expect(probe.detail).to.match(/^cannot list: list _state\/ failed: InvalidAccessKeyId/);
      expect(probe.fix).to.match(/needs Object Read & Write on bucket "images"/);
      expect(item(report, 'CORS').ok).to.equal(true); // the admin token is another key
    });

    it('public domain: not set is a failure, and the CORS checks say they were not made', async () => {
      const report = await w.run({ publicBase: null });
      expect(item(report, 'public domain')).to.deep.include({ ok: false, detail: 'R2_PUBLIC_DOMAIN is not set: nothing checks what visitors get' });
      expect(item(report, 'public domain').fix).to.match(/Custom Domains/);
      expect(item(report, 'CORS for https://russ.fm')).to.deep.include({ ok: 'skipped', detail: 'not checked: needs R2_PUBLIC_DOMAIN' });
      expect(item(report, 'records private').ok).to.equal('skipped');
      expect(report.ok).to.equal(false);
    });

    it('public domain: an object served with another Cache-Control fails, naming both and the repair', async () => {
      await w.images().put({ key: IMAGE_KEY, ...body('abba'), contentType: 'image/jpeg', cacheControl: 'public, max-age=60', metadata: {} });
      const report = await w.run();
      const domain = item(report, 'public domain');
      expect(domain.ok).to.equal(false);
      expect(domain.detail).to.equal(`${w.server.publicBase}/${IMAGE_KEY} answered 200 with Cache-Control "public, max-age=60", expected "${CACHE}"`);
      expect(domain.fix).to.match(/gulp verify --env staging --repair/);
    });

    it('public domain: an r2.dev URL in production fails (rate limited, never cached)', async () => {
      const report = await w.run({ environment: 'production', publicBase: 'https://pub-0123456789abcdef.r2.dev' });
      expect(item(report, 'public domain').ok).to.equal(false);
      expect(item(report, 'public domain').detail).to.match(/^R2_PUBLIC_DOMAIN is an r2\.dev URL: rate limited \(429\), never cached, not for production/);
    });

    it('CORS for an origin: an origin the bucket\'s rule does not allow fails, naming it and the fix', async () => {
      await w.run(); // the bucket gets the seed's rule
      const report = await w.run({ admin: false, environment: 'production', cors: { ...SEED_CORS, origins: ['https://russ.fm', 'https://other.example'] } });
      expect(item(report, 'CORS for https://russ.fm').ok).to.equal(true);
      expect(item(report, 'CORS for https://other.example')).to.deep.include({ ok: false });
      expect(item(report, 'CORS for https://other.example').detail).to.match(/with Origin: https:\/\/other\.example answered HTTP 200 (without Access-Control-Allow-Origin|with Access-Control-Allow-Origin: (?!https:\/\/other))/);
    });

    // From the new user's trial: setup's own requests, through a CDN whose cache key ignores Origin, were cached
    // without CORS headers (a dry run before the CORS change), so the real run, and every visitor, got them back.
    it('never leaves an answer in the CDN\'s cache: --dry-run, then the real run, through a CDN that ignores Origin, ends all ✓ and visitors get CORS', async () => {
      const cdn = new CachingCdn(w.server.publicBase, Date.now, { varyOnOrigin: false });
      try {
        const base = await cdn.start();
        expect(item(await w.run({ publicBase: base, dryRun: true }), 'CORS for https://russ.fm').ok).to.equal('skipped');
        expect(statuses(await w.run({ publicBase: base }))).to.deep.equal(ALL_PASS);
        expect(cdn.cachedPaths().every((path) => /[?&]gulp-setup=[0-9a-f]{12}$/.test(path)), cdn.cachedPaths().join(', ')).to.equal(true);
        const visitor = await fetch(`${base}/album/abba/abba-medium.jpg`, { headers: { origin: 'http://localhost:5173' } });
        expect(visitor.headers.get('access-control-allow-origin')).to.be.oneOf(['http://localhost:5173', '*']);
      } finally { await cdn.close(); }
    });

    it('records private: records in the served bucket are readable publicly, and the advice is R2_ARCHIVE_BUCKET', async () => {
      const single = await SetupWorld.start({ archive: false });
      try {
        const report = await single.run();
        const privacy = item(report, 'records private');
        expect(privacy.ok).to.equal(false);
        expect(privacy.detail).to.match(/\/images\/_state\/setup-probe-[^ ]+ answered 200: anyone can read the tool's records/);
        expect(privacy.detail).to.match(/public access is the domain, not a policy/);
        expect(privacy.fix).to.match(/set R2_ARCHIVE_BUCKET to its name, then run `gulp releases --env staging --move-history`/);
        expect(item(report, 'credentials').ok).to.equal(true);
        expect((await listAll(single.images())).map((o) => o.key)).to.deep.equal([IMAGE_KEY]); // the probe is gone
      } finally { await single.close(); }
    });

    it('records private: with R2_ARCHIVE_BUCKET set, history left in the served bucket fails, naming --move-history', async () => {
      await w.images().put({ key: '_state/sync-state.json', ...body('{}'), contentType: 'application/json', cacheControl: 'no-store', metadata: {} });
      const report = await w.run();
      const privacy = item(report, 'records private');
      expect(privacy.ok).to.equal(false);
      expect(privacy.detail).to.match(/\/images\/_state\/sync-state\.json answered 200/);
      expect(privacy.fix).to.equal('the images\' bucket still holds history: move it into R2_ARCHIVE_BUCKET "records" with `gulp releases --env staging --move-history`');
    });

    it('CORS: without admin credentials a remote bucket\'s CORS is read, not applied, and the line says what to set', async () => {
      const report = await w.run({ admin: false, environment: 'production' });
      const cors = item(report, 'CORS');
      expect(cors).to.deep.include({ ok: false, detail: 'differs from assets.config.ts and was not applied: no admin credentials' });
      expect(cors.fix).to.match(/^set R2_ADMIN_ACCESS_KEY_ID and R2_ADMIN_SECRET_ACCESS_KEY \(an R2 API token with Admin Read & Write/);
      expect(cors.changes).to.have.length(1);
      expect(corsWrites(w)).to.deep.equal([]);
      expect(await w.settings().getCors()).to.deep.equal({ state: 'none' });
      // The checks still ran: the credentials probe wrote and removed its object.
      expect(item(report, 'credentials (bucket "images")').ok).to.equal(true);
      expect(item(report, 'CORS for https://russ.fm').ok).to.equal(false);
    });

    it('CORS: a bucket already as configured passes without admin credentials (nothing to change)', async () => {
      await w.settings().putCors([{ origins: [...SEED_CORS.origins].reverse(), methods: ['HEAD', 'GET'], headers: ['*'], exposeHeaders: [], maxAgeSeconds: 3600 }]);
      const report = await w.run({ admin: false, environment: 'production' });
      expect(statuses(report)).to.deep.equal(ALL_PASS);
    });
  });
});
