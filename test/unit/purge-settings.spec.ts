import { expect } from 'chai';
import { DEFAULT_CDN } from '../../lib/config/edge-policy';
import { ConfigError } from '../../lib/errors';
import { DEFAULT_CLOUDFLARE_API, purgeSettingsFrom } from '../../lib/edge/purge-settings';

const TOKEN = 'tok_SECRET_1234567890abcdef';
const ZONE = '0123456789abcdef0123456789abcdef';
const BOTH = { CLOUDFLARE_PURGE_TOKEN: TOKEN, CLOUDFLARE_ZONE_ID: ZONE };

function configError(env: Record<string, string | undefined>): ConfigError {
  try { purgeSettingsFrom(env, DEFAULT_CDN); } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    const e = error as ConfigError;
    expect(`${e.message} ${e.hint ?? ''}`).to.not.contain('SECRET');
    return e;
  }
  throw new Error('no ConfigError');
}

describe('purgeSettingsFrom: the CDN purge settings, checked where they enter', () => {
  it('is undefined (no purge) when neither the token nor the zone is set', async () => {
    expect(purgeSettingsFrom({}, DEFAULT_CDN)).to.equal(undefined);
    expect(purgeSettingsFrom({ CLOUDFLARE_PURGE_TOKEN: ' ', CLOUDFLARE_ZONE_ID: '' }, DEFAULT_CDN)).to.equal(undefined);
  });

  it('takes the token, the zone, the default API and the plan limits from the CDN settings', async () => {
    const cdn = { ...DEFAULT_CDN, plan: 'pro' as const, urlsPerRequest: 30, purgeByPrefixAbove: 200 };
    expect(purgeSettingsFrom({ ...BOTH, CLOUDFLARE_ZONE_ID: ` ${ZONE.toUpperCase()}\n` }, cdn)).to.deep.equal({
      apiBase: DEFAULT_CLOUDFLARE_API, zoneId: ZONE, token: TOKEN, plan: 'pro', urlsPerRequest: 30, purgeByPrefixAbove: 200,
    });
  });

  it('refuses one of the two without the other, naming both', async () => {
    expect(configError({ CLOUDFLARE_PURGE_TOKEN: TOKEN }).message).to.equal('CLOUDFLARE_PURGE_TOKEN is set but CLOUDFLARE_ZONE_ID is not');
    expect(configError({ CLOUDFLARE_ZONE_ID: ZONE }).message).to.equal('CLOUDFLARE_ZONE_ID is set but CLOUDFLARE_PURGE_TOKEN is not');
  });

  it('refuses a zone id that is not 32 hex characters', async () => {
    for (const zone of ['0123456789abcdef', `${ZONE}0`, ZONE.replace('a', 'g'), 'SECRET-not-a-zone']) {
      expect(configError({ ...BOTH, CLOUDFLARE_ZONE_ID: zone }).message).to.match(/^CLOUDFLARE_ZONE_ID is malformed/);
    }
  });

  it('refuses a token with white space or control characters inside, without printing it', async () => {
    expect(configError({ ...BOTH, CLOUDFLARE_PURGE_TOKEN: 'tok_SECRET 123' }).message).to.equal('CLOUDFLARE_PURGE_TOKEN contains white space (a copy-paste slip?)');
    expect(configError({ ...BOTH, CLOUDFLARE_PURGE_TOKEN: 'tok_SECRET\u0000123' }).message).to.match(/^CLOUDFLARE_PURGE_TOKEN contains characters/);
    expect(configError({ ...BOTH, CLOUDFLARE_PURGE_TOKEN: 'tok_SECRET_é' }).message).to.match(/^CLOUDFLARE_PURGE_TOKEN contains characters/);
  });

  it('takes CLOUDFLARE_API_URL without its trailing slashes', async () => {
    expect(purgeSettingsFrom({ ...BOTH, CLOUDFLARE_API_URL: 'http://127.0.0.1:8787/client/v4//' }, DEFAULT_CDN)?.apiBase).to.equal('http://127.0.0.1:8787/client/v4');
  });

  it('refuses a CLOUDFLARE_API_URL that is not an http(s) base URL without credentials', async () => {
    expect(configError({ ...BOTH, CLOUDFLARE_API_URL: 'api.cloudflare.com' }).message).to.equal('CLOUDFLARE_API_URL is not a URL');
    expect(configError({ ...BOTH, CLOUDFLARE_API_URL: 'ftp://api.cloudflare.com' }).message).to.equal('CLOUDFLARE_API_URL must start with https:// or http://');
    const withUser = configError({ ...BOTH, CLOUDFLARE_API_URL: 'https://me:SECRET@api.cloudflare.com/client/v4' });
    expect(withUser.message).to.equal('CLOUDFLARE_API_URL carries a user name or password in its URL');
    expect(configError({ ...BOTH, CLOUDFLARE_API_URL: 'https://api.cloudflare.com/client/v4?x=1' }).message).to.match(/^CLOUDFLARE_API_URL has a \?query/);
  });

  it('refuses even an empty ?query or #fragment in CLOUDFLARE_API_URL', async () => {
    for (const url of ['https://api.cloudflare.com/client/v4?', 'https://api.cloudflare.com/client/v4#', 'https://api.cloudflare.com/client/v4/?v=1']) {
      expect(configError({ ...BOTH, CLOUDFLARE_API_URL: url }).message, url).to.match(/^CLOUDFLARE_API_URL has a \?query/);
    }
  });

  it('refuses an http:// CLOUDFLARE_API_URL unless it is this machine: the token travels in it', async () => {
    expect(configError({ ...BOTH, CLOUDFLARE_API_URL: 'http://api.cloudflare.com/client/v4' }).message).to.match(/^CLOUDFLARE_API_URL is http:\/\/ to another machine/);
    expect(configError({ ...BOTH, CLOUDFLARE_API_URL: 'http://10.0.0.5:8787/client/v4' }).message).to.match(/would travel in clear/);
    for (const local of ['http://127.0.0.1:8787/client/v4', 'http://[::1]:8787/client/v4', 'http://localhost:8787/client/v4']) {
      expect(purgeSettingsFrom({ ...BOTH, CLOUDFLARE_API_URL: local }, DEFAULT_CDN)?.apiBase).to.equal(local);
    }
  });
});
