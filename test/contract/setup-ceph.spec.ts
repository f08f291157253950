import { expect } from 'chai';
import { connectStore } from '../../lib/bucket/open-store';
import { SEED_CORS } from '../../lib/config/edge-policy';
import { openBucketSettings, type BucketLifecycleRule, type BucketSettings } from '../../lib/storage/bucket-settings';
import type { StoreConfig } from '../../lib/storage/s3-client';
import { runSetup, type SetupReport } from '../../lib/setup/run-setup';
import { freshCephBucket, requireCeph } from '../servers/ceph';
import { item } from '../support/setup-world';

const expiring = (id: string, prefix: string): BucketLifecycleRule => ({ id, enabled: true, prefix, tagged: false, transitions: [], expirationDays: 30 });

describe('gulp setup on Ceph radosgw (CORS and lifecycle are real there, SigV4 checked)', () => {
  let config: StoreConfig;
  let settings: (bucket?: string) => BucketSettings;
  const destroyers: (() => void)[] = [];
  before(async function () { await requireCeph(this); });
  beforeEach(async () => {
    config = await freshCephBucket();
    const opened = openBucketSettings(config);
    settings = opened.settings;
    destroyers.push(opened.destroy);
  });
  afterEach(async () => { while (destroyers.length > 0) destroyers.pop()?.(); });

  /** setup as `--env production` with admin credentials (`admin` overrides them), records apart in `archiveBucket` when given. */
  function run(options: { admin?: StoreConfig; archiveBucket?: string } = {}): Promise<SetupReport> {
    const connected = connectStore(config, { maxAttempts: 2, archiveBucket: options.archiveBucket });
    destroyers.push(connected.destroy);
    return runSetup({
      env: { name: 'production', bucket: config.bucket, archiveBucket: options.archiveBucket, cacheControl: 'public, max-age=60', cors: SEED_CORS },
      store: connected.store, embedded: false, access: { config: options.admin ?? config, admin: true, canApply: true },
    }, { dryRun: false, timeoutMs: 3000 });
  }

  it('applies the configured CORS (GetBucketCors reads it back), and a second run keeps it unchanged', async () => {
    const first = await run();
    expect(item(first, 'CORS')).to.deep.include({ ok: true });
    expect(item(first, 'CORS').detail).to.match(/^applied: /);
    expect(item(first, 'credentials')).to.deep.include({ ok: true });
    const read = await settings().getCors();
    expect(read.state === 'set' ? read.value.map((r) => [[...r.origins].sort(), [...r.methods].sort(), r.headers, r.maxAgeSeconds]) : read)
      .to.deep.equal([[['http://localhost:5173', 'https://russ.fm'], ['GET', 'HEAD'], ['*'], 3600]]);
    const second = await run();
    expect(item(second, 'CORS').detail).to.match(/^as configured: /);
    expect(item(second, 'CORS').changes).to.equal(undefined);
  });

  it('keeps an uploads rule (PUT, POST) as it was beside its own, reports the CORS as it was before, and a second run changes nothing', async () => {
    const uploads = { origins: ['https://admin.example.org'], methods: ['PUT', 'POST'], headers: [], exposeHeaders: ['ETag'] };
    await settings().putCors([uploads]);
    const first = await run();
    expect(item(first, 'CORS').changes?.at(-1)).to.equal('kept 1 rule that is not this tool\'s (PUT, POST from https://admin.example.org)');
    expect(first.corsBefore).to.deep.equal({ state: 'set', value: [{ ...uploads, maxAgeSeconds: undefined }] });
    const read = await settings().getCors();
    expect(read.state === 'set' ? read.value.map((r) => [[...r.methods].sort(), [...r.origins].sort(), r.exposeHeaders]) : read).to.deep.equal([
      [['POST', 'PUT'], ['https://admin.example.org'], ['ETag']], [['GET', 'HEAD'], ['http://localhost:5173', 'https://russ.fm'], []],
    ]);
    const second = await run();
    expect(item(second, 'CORS').detail).to.match(/^as configured: .*; kept 1 rule that is not this tool's/);
    expect(item(second, 'CORS').changes).to.equal(undefined);
  });

  it('fails the lifecycle check on a rule that expires _archive/, naming it; once the rule is removed, it passes', async () => {
    await settings().putLifecycle([expiring('old-archive', '_archive/'), { id: 'aborts', enabled: true, prefix: '', tagged: false, transitions: [], abortMultipartDays: 7 }]);
    const report = await run();
    const lifecycle = item(report, 'lifecycle');
    expect(lifecycle.ok).to.equal(false);
    expect(lifecycle.detail).to.equal(`would delete what rollbacks need: bucket "${config.bucket}": rule "old-archive" expires objects after 30 day(s): objects under "_archive/", which covers _archive/`);
    expect(lifecycle.fix).to.match(/^delete or narrow rule\(s\) "old-archive" .*gulp prune --env production --keep <n>/);
    expect(report.ok).to.equal(false);

    await settings().deleteLifecycle();
    const after = item(await run(), 'lifecycle');
    expect(after).to.deep.include({ ok: true });
    expect(after.detail).to.match(/no rules\)$/);
  });

  it('with the records apart (R2_ARCHIVE_BUCKET), judges the records bucket\'s rules too, and probes both buckets', async () => {
    const records = (await freshCephBucket()).bucket;
    await settings(records).putLifecycle([expiring('everything', '')]);
    await settings().putLifecycle([expiring('scratch', 'tmp/')]);
    const report = await run({ archiveBucket: records });
    expect(item(report, `credentials (bucket "${config.bucket}")`).ok).to.equal(true);
    expect(item(report, `credentials (bucket "${records}")`).ok).to.equal(true);
    const lifecycle = item(report, 'lifecycle');
    expect(lifecycle.ok).to.equal(false);
    expect(lifecycle.detail).to.match(new RegExp(`bucket "${records}": rule "everything" expires objects after 30 day\\(s\\): every object, which covers _state/, _releases/, _archive/, _history/$`));
    expect(lifecycle.detail).not.to.match(/"scratch"/);
  });

  it('admin credentials that do not sign right: CORS is neither read nor changed, and the fix names the admin token', async () => {
    const report = await run({ admin: { ...config, secretAccessKey: 'not-the-admin-secret' } });
    const cors = item(report, 'CORS');
    expect(cors.ok).to.equal(false);
    expect(cors.detail).to.match(/^cannot read the bucket's CORS rules with these credentials/);
    expect(cors.fix).to.match(/R2_ADMIN_ACCESS_KEY_ID and R2_ADMIN_SECRET_ACCESS_KEY/);
    expect(await settings().getCors()).to.deep.equal({ state: 'none' });
    expect(item(report, 'credentials').ok).to.equal(true); // the sync token is another
  });
});
