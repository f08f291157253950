import { expect } from 'chai';
import { SEED_CORS } from '../../lib/config/edge-policy';
import { ConfigError } from '../../lib/errors';
import type { BucketCorsRule, BucketLifecycleRule } from '../../lib/storage/bucket-settings';
import type { StoreConfig } from '../../lib/storage/s3-client';
import { configAccess } from '../../lib/setup/config-access';
import { planCors } from '../../lib/setup/cors-plan';
import { judgeLifecycle } from '../../lib/setup/lifecycle-rules';
import { RESERVED_PREFIXES } from '../../lib/validate/object-key';

const rule = (over: Partial<BucketCorsRule> = {}): BucketCorsRule => ({
  origins: ['https://russ.fm', 'http://localhost:5173'], methods: ['GET', 'HEAD'], headers: ['*'], exposeHeaders: [], maxAgeSeconds: 3600, ...over,
});
const lifecycle = (over: Partial<BucketLifecycleRule>): BucketLifecycleRule => ({ id: 'r', enabled: true, prefix: '', tagged: false, transitions: [], ...over });
const ALL = [...RESERVED_PREFIXES, 'album/', 'artist/'];

describe('setup: the CORS plan (pure)', () => {
  it('keeps a bucket whose one rule says the same in another order and case: a re-run is a no-op', async () => {
    const plan = planCors([rule({ origins: ['http://localhost:5173', 'HTTPS://RUSS.FM'], methods: ['head', 'get'] })], SEED_CORS);
    expect(plan).to.include({ action: 'keep' });
    expect(plan.changes).to.deep.equal([]);
  });

  it('applies the configured rule to a bucket with none, naming it', async () => {
    const plan = planCors(undefined, SEED_CORS);
    expect(plan.action).to.equal('apply');
    expect(plan.changes).to.deep.equal(['+ origins https://russ.fm, http://localhost:5173; methods GET, HEAD; headers *; max age 3600 s (none set before)']);
    expect(plan.wanted).to.deep.equal(rule());
  });

  it('lists what differs in a rule, field by field', async () => {
    const plan = planCors([rule({ origins: ['https://russ.fm', 'https://old.example'], headers: ['content-type'], maxAgeSeconds: 600, exposeHeaders: ['ETag'] })], SEED_CORS);
    expect(plan.action).to.equal('apply');
    expect(plan.changes).to.deep.equal([
      'origins: + http://localhost:5173, − https://old.example', 'headers: + *, − content-type', 'exposed headers: − etag', 'max age: 3600 s (was 600 s)',
    ]);
  });

  it('replaces several read rules with the one configured', async () => {
    const plan = planCors([rule(), rule({ origins: ['https://other.example'] })], SEED_CORS);
    expect(plan.action).to.equal('apply');
    expect(plan.changes.at(-1)).to.match(/\(2 read rules become 1\)$/);
    expect(plan.rules).to.deep.equal([rule()]);
  });

  it('keeps a rule with other methods (someone else\'s uploads) as it is, first, and says so', async () => {
    const uploads = rule({ origins: ['https://admin.example.org'], methods: ['PUT', 'POST'], headers: [], exposeHeaders: ['ETag'], maxAgeSeconds: undefined });
    const plan = planCors([uploads], SEED_CORS);
    expect(plan.action).to.equal('apply');
    expect(plan.rules).to.deep.equal([uploads, rule()]);
    expect(plan.changes.at(-1)).to.equal('kept 1 rule that is not this tool\'s (PUT, POST from https://admin.example.org)');
    const again = planCors([rule({ methods: ['head', 'get'] }), uploads], SEED_CORS);
    expect(again.action).to.equal('keep');
    expect(again.keptLine).to.equal('kept 1 rule that is not this tool\'s (PUT, POST from https://admin.example.org)');
  });
});

describe('setup: lifecycle rules against what the tool keeps (pure)', () => {
  it('names a rule that expires the archive, and one with an empty prefix (every object)', async () => {
    const judged = judgeLifecycle([lifecycle({ id: 'old', prefix: '_archive/', expirationDays: 30 }), lifecycle({ id: 'all', expirationDays: 365 })], ALL);
    expect(judged.harmful.map((f) => f.rule)).to.deep.equal(['"old"', '"all"']);
    expect(judged.harmful[0]?.harm).to.equal('expires objects after 30 day(s): objects under "_archive/", which covers _archive/');
    expect(judged.harmful[1]?.harm).to.match(/every object, which covers _state\/, _releases\/, _archive\/, _history\/, album\/, artist\//);
  });

  it('counts a rule on part of a protected prefix, noncurrent expiry, and moves to Glacier as harmful', async () => {
    const judged = judgeLifecycle([
      lifecycle({ id: 'part', prefix: '_archive/ab', expirationDays: 1 }), lifecycle({ id: 'versions', prefix: 'album/', noncurrentExpirationDays: 7 }),
      lifecycle({ id: 'cold', prefix: '_archive/', transitions: [{ storageClass: 'GLACIER', noncurrent: false, days: 30 }] }),
    ], ALL);
    expect(judged.harmful.map((f) => f.rule)).to.deep.equal(['"part"', '"versions"', '"cold"']);
  });

  it('leaves alone disabled rules, tag-filtered rules, other prefixes, multipart aborts and moves to Infrequent Access', async () => {
    const judged = judgeLifecycle([
      lifecycle({ id: 'off', enabled: false, expirationDays: 1 }), lifecycle({ id: 'tags', tagged: true, expirationDays: 1 }),
      lifecycle({ id: 'tmp', prefix: 'tmp/', expirationDays: 1 }), lifecycle({ id: 'Default Multipart Abort Rule', abortMultipartDays: 7 }),
      lifecycle({ id: 'ia', transitions: [{ storageClass: 'STANDARD_IA', noncurrent: false, days: 30 }] }),
    ], ALL);
    expect(judged.harmful).to.deep.equal([]);
    expect(judged.harmless.map((f) => f.rule)).to.deep.equal(['"off"', '"tags"', '"tmp"', '"Default Multipart Abort Rule"', '"ia"']);
  });

  it('counts a move to "glacier" in lower case, and an expiry whose day count is not a number, as harmful', async () => {
    const judged = judgeLifecycle([
      lifecycle({ id: 'cold', prefix: '_archive/', transitions: [{ storageClass: 'glacier', noncurrent: false, days: 30 }] }),
      lifecycle({ id: 'garbled', expirationUnreadable: true }),
    ], ALL);
    expect(judged.harmful.map((f) => f.rule)).to.deep.equal(['"cold"', '"garbled"']);
    expect(judged.harmful[1]?.harm).to.match(/^expires objects \(after a day count that is not a number\)/);
  });

  it('judges the records bucket by the tool\'s prefixes only: an images rule there harms nothing', async () => {
    expect(judgeLifecycle([lifecycle({ id: 'imgs', prefix: 'album/', expirationDays: 1 })], RESERVED_PREFIXES).harmful).to.deep.equal([]);
  });
});

describe('setup: which credentials change bucket settings', () => {
  const store: StoreConfig = { provider: 'r2', endpoint: 'https://x.r2.cloudflarestorage.com', bucket: 'b', region: 'auto', accessKeyId: 'sync-key', secretAccessKey: 'sync-secret' };
  const admin = { R2_ADMIN_ACCESS_KEY_ID: 'admin-key', R2_ADMIN_SECRET_ACCESS_KEY: 'admin-secret' };

  it('uses the admin token, at the same endpoint, when both admin keys are set', async () => {
    const access = configAccess({ name: 'production' }, store, false, admin);
    expect(access).to.deep.include({ admin: true, canApply: true });
    expect(access.config).to.deep.equal({ ...store, accessKeyId: 'admin-key', secretAccessKey: 'admin-secret' });
  });

  it('without them, a remote environment only reads; development and the embedded bucket need none', async () => {
    expect(configAccess({ name: 'production' }, store, false, {})).to.deep.equal({ config: store, admin: false, canApply: false });
    expect(configAccess({ name: 'staging' }, store, false, {}).canApply).to.equal(false);
    expect(configAccess({ name: 'development' }, store, false, {}).canApply).to.equal(true);
    expect(configAccess({ name: 'development' }, store, true, admin)).to.deep.equal({ config: store, admin: false, canApply: true });
  });

  it('refuses one admin key without the other, naming the missing one', async () => {
    expect(() => configAccess({ name: 'production' }, store, false, { R2_ADMIN_ACCESS_KEY_ID: 'k' })).to.throw(ConfigError, /R2_ADMIN_SECRET_ACCESS_KEY is not/);
  });
});
