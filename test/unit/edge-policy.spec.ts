import { expect } from 'chai';
import { resolveAssetsConfig } from '../../lib/config/assets-config';
import { DEFAULT_CDN, SEED_CORS } from '../../lib/config/edge-policy';
import { resolveEnvironment } from '../../lib/config/environment';
import { ConfigError } from '../../lib/errors';
import { writeManifest } from '../../lib/manifest/io';
import { versionedPath } from '../../lib/manifest/types';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useWorkspace } from '../helpers/tmp';

const REMOTE = { R2_BUCKET_NAME: 'images', R2_ACCESS_KEY_ID: 'key-id-1234', R2_SECRET_ACCESS_KEY: 'secret-5678', S3_ENDPOINT: 'http://127.0.0.1:9000' };
const PURGE = { CLOUDFLARE_PURGE_TOKEN: 'purge-token-abcdef', CLOUDFLARE_ZONE_ID: '0123456789abcdef0123456789abcdef' };

describe('the edge policy in assets.config.ts: Cache-Control and CORS per environment, the CDN\'s limits', () => {
  it('defaults to a year at the edge and a day in browsers in production, no immutable, and the seed\'s CORS everywhere', async () => {
    const { edge, cdn } = resolveAssetsConfig(undefined);
    expect(edge.production.cacheControl).to.equal('public, max-age=86400, s-maxage=31536000');
    expect(edge.production.cacheControl).to.not.contain('immutable');
    expect(edge.staging.cors).to.deep.equal(SEED_CORS);
    expect(SEED_CORS).to.deep.equal({ origins: ['https://russ.fm', 'http://localhost:5173'], methods: ['GET', 'HEAD'], headers: ['*'], maxAgeSeconds: 3600 });
    expect(cdn).to.deep.equal(DEFAULT_CDN);
  });

  it('takes a config-wide CORS rule, overridden per environment, and per-environment Cache-Control', async () => {
    const config = resolveAssetsConfig({
      cors: { origins: ['https://example.com'] },
      environments: { staging: { cacheControl: 'public, max-age=60, s-maxage=600', cors: { origins: ['*'], methods: ['GET'] } } },
      cdn: { plan: 'pro', urlsPerRequest: 30 },
    }, 'assets.config.ts');
    expect(config.edge.production.cors).to.deep.equal({ ...SEED_CORS, origins: ['https://example.com'] });
    expect(config.edge.staging).to.deep.equal({ cacheControl: 'public, max-age=60, s-maxage=600', cors: { origins: ['*'], methods: ['GET'], headers: ['*'], maxAgeSeconds: 3600 } });
    expect(config.edge.production.cacheControl).to.equal('public, max-age=86400, s-maxage=31536000');
    expect(config.cdn).to.deep.equal({ ...DEFAULT_CDN, plan: 'pro', urlsPerRequest: 30 });
  });

  const refused: [string, unknown, RegExp][] = [
    ['an origin with a path', { cors: { origins: ['https://russ.fm/'] } }, /cors\.origins\.0 "https:\/\/russ\.fm\/" is not an origin: write it as https:\/\/russ\.fm/],
    ['an origin that is not http(s)', { cors: { origins: ['ftp://russ.fm'] } }, /is not an http\(s\) origin/],
    ['no origin at all', { cors: { origins: [] } }, /cors\.origins is empty/],
    ['a method CORS has no business with', { cors: { origins: ['*'], methods: ['PATCH'] } }, /cors\.methods\.0 is not one of GET, HEAD, PUT, POST, DELETE/],
    ['a header value that would split the header', { environments: { production: { cacheControl: 'public\r\nX-Evil: 1' } } }, /environments\.production\.cacheControl .* is not a Cache-Control directive/],
    ['an unknown environment', { environments: { prod: {} } }, /environments\.prod is not a field this config has/],
    ['more URLs per purge than any plan takes', { cdn: { urlsPerRequest: 1000 } }, /cdn\.urlsPerRequest is over 500/],
    ['an unknown plan', { cdn: { plan: 'gold' } }, /cdn\.plan is not one of free, pro, business, enterprise/],
  ];
  for (const [what, raw, message] of refused) {
    it(`refuses ${what}, naming the field`, async () => {
      expect(() => resolveAssetsConfig(raw, 'assets.config.ts')).to.throw(ConfigError, message);
    });
  }

  it('gives each environment its policy, and purges only where a CDN can front the bucket', async () => {
    const { edge, cdn } = resolveAssetsConfig({ environments: { staging: { cacheControl: 'no-cache' } } });
    const staging = resolveEnvironment('staging', { ...REMOTE, R2_PUBLIC_DOMAIN: 'https://staging-assets.russ.fm', ...PURGE }, edge.staging, cdn);
    expect(staging.cacheControl).to.equal('no-cache');
    expect(staging.purge).to.include({ zoneId: PURGE.CLOUDFLARE_ZONE_ID, urlsPerRequest: 100, plan: 'free' });
    // The embedded bucket has no CDN in front of it: a production token copied into .env must not purge localhost URLs.
    expect(resolveEnvironment('development', { ...PURGE }).purge).to.equal(undefined);
    expect(() => resolveEnvironment('production', { ...REMOTE, ...PURGE })).to.throw(ConfigError, 'CLOUDFLARE_PURGE_TOKEN is set but R2_PUBLIC_DOMAIN is not');
  });

  describe('versioned URLs in the manifest', () => {
    const ws = useWorkspace('versioned');
    it('are written with the manifest, from each variant\'s key and MD5, so they change exactly when the bytes do', async () => {
      expect(versionedPath('album/cher & co/cher & co-medium.jpg', '0123456789abcdef0123456789abcdef')).to.equal('album/cher%20%26%20co/cher%20%26%20co-medium.jpg?v=01234567');
      const variant = { size: 'medium', format: 'jpeg' as const, key: 'album/x/x-medium.jpg', width: 1, height: 1, bytes: 1, contentType: 'image/jpeg', md5: 'ab'.repeat(16), sha256: 'cd'.repeat(32), cacheKey: 'k' };
      const path = join(ws.current.root, 'images.json');
      await writeManifest(path, { schema: 1, encoder: 'e', updatedAt: 'now', sources: { 'album/x/x-hi-res.jpg': { type: 'album', slug: 'x', bytes: 1, sha256: 'cd'.repeat(32), width: 1, height: 1, variants: [variant] } } });
      const written = JSON.parse(await readFile(path, 'utf8')) as { sources: Record<string, { variants: { versioned: string }[] }> };
      expect(written.sources['album/x/x-hi-res.jpg']?.variants[0]?.versioned).to.equal('album/x/x-medium.jpg?v=abababab');
    });
  });
});
