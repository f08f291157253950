import { expect } from 'chai';
import { ConfigError } from '../../lib/errors';
import { resolveEnvironment } from '../../lib/config/environment';

const REMOTE = { R2_BUCKET_NAME: 'images', R2_ACCESS_KEY_ID: 'key-id-1234', R2_SECRET_ACCESS_KEY: 'secret-5678', PUBLIC_DOMAIN: 'https://assets.example.com' };

describe('resolveEnvironment: settings from outside, checked where they enter', () => {
  // From the attacker's trial: a password in S3_ENDPOINT's URL was printed with every store error.
  it('refuses an S3_ENDPOINT that carries a user name or password, printing neither', async () => {
    let error: unknown;
    try { resolveEnvironment('staging', { ...REMOTE, S3_ENDPOINT: 'http://user:pw-in-url@127.0.0.1:9000' }); } catch (e) { error = e; }
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).message).to.equal('S3_ENDPOINT carries a user name or password in its URL');
    expect(String((error as ConfigError).hint)).to.not.contain('pw-in-url');
  });

  it('takes the same endpoint without them', async () => {
    expect(resolveEnvironment('staging', { ...REMOTE, S3_ENDPOINT: 'http://127.0.0.1:9000/' }).store?.endpoint).to.equal('http://127.0.0.1:9000');
  });

  // From the new user's trial: accepted for the embedded bucket (a folder was made), refused once S3_ENDPOINT was set.
  it('checks R2_BUCKET_NAME in development too, as it will be checked on R2', async () => {
    expect(() => resolveEnvironment('development', { R2_BUCKET_NAME: 'Bad_Bucket!' })).to.throw(ConfigError, 'R2_BUCKET_NAME "Bad_Bucket!" is not a valid bucket name');
    expect(resolveEnvironment('development', { R2_BUCKET_NAME: 'russ-fm-test' }).bucket).to.equal('russ-fm-test');
  });

  // From the attacker's trial: a trailing `#` or `/?v=1` made every purge name the site root, reported as a success.
  it('refuses an R2_PUBLIC_DOMAIN with a ?query or #fragment, even an empty one', async () => {
    for (const domain of ['https://assets.example.com#', 'https://assets.example.com?', 'https://assets.example.com/?v=1', 'https://assets.example.com/img#x']) {
      expect(() => resolveEnvironment('staging', { ...REMOTE, S3_ENDPOINT: 'http://127.0.0.1:9000', R2_PUBLIC_DOMAIN: domain }), domain)
        .to.throw(ConfigError, 'R2_PUBLIC_DOMAIN has a ?query or #fragment');
    }
    expect(resolveEnvironment('staging', { ...REMOTE, S3_ENDPOINT: 'http://127.0.0.1:9000', R2_PUBLIC_DOMAIN: 'https://assets.example.com/img/' }).publicBase).to.equal('https://assets.example.com/img');
  });
});
