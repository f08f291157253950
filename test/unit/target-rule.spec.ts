import { expect } from 'chai';
import { checkTarget, isCi, type TargetInput } from '../../lib/config/target-rule';
import { ConfigError } from '../../lib/errors';

const SECRET = 'very-secret-value-0123456789';
const R2 = { R2_ACCOUNT_ID: '0123456789abcdef0123456789abcdef', R2_ACCESS_KEY_ID: 'AKIDEXAMPLE', R2_SECRET_ACCESS_KEY: SECRET, R2_BUCKET_NAME: 'russ-fm-assets' };
const CI_WITH_R2 = { CI: 'true', ...R2 };
const target = (input: Partial<TargetInput>): string | undefined => checkTarget({ explicit: false, started: {}, settings: {}, ...input });

describe('checkTarget: a CI deploy that forgot --env', () => {
  it('refuses a CI run with R2 credentials in its environment, no S3_ENDPOINT and no --env, naming the flag and no secret', async () => {
    let error: unknown;
    try { target({ started: CI_WITH_R2, settings: CI_WITH_R2 }); } catch (e) { error = e; }
    expect(error).to.be.instanceOf(ConfigError);
    const { message, hint } = error as ConfigError;
    expect(message).to.match(/no --env/);
    expect(hint).to.equal('pass --env production (or --env development to use the embedded bucket on purpose)');
    expect(`${message} ${hint}`).to.not.include(SECRET);
    expect(() => target({ started: { CI: 'true', R2_SECRET_ACCESS_KEY: SECRET }, settings: {} }), 'either credential').to.throw(ConfigError);
  });

  it('lets through --env given (development too, on purpose), an S3_ENDPOINT, and a CI run with no credentials', async () => {
    expect(target({ explicit: true, started: CI_WITH_R2, settings: CI_WITH_R2 })).to.equal(undefined);
    const endpoint = { ...CI_WITH_R2, S3_ENDPOINT: 'http://127.0.0.1:9000' };
    expect(target({ started: endpoint, settings: endpoint })).to.equal(undefined);
    expect(target({ started: { CI: 'true' }, settings: { CI: 'true' } })).to.equal(undefined);
  });

  it('refuses credentials a CI job put in a settings file too: .env, or .env.staging / .env.production that a default run does not read', async () => {
    expect(() => target({ started: { CI: 'true' }, settings: CI_WITH_R2 })).to.throw(ConfigError, /in a settings file\) but no --env/);
    expect(() => target({ started: { CI: 'true' }, settings: { CI: 'true' }, remote: { R2_SECRET_ACCESS_KEY: SECRET } }))
      .to.throw(ConfigError, /R2_SECRET_ACCESS_KEY, in \.env\.staging or \.env\.production\) but no --env/);
    expect(() => target({ started: {}, settings: {}, remote: { R2_SECRET_ACCESS_KEY: SECRET } }), 'outside CI: no refusal').to.not.throw();
  });

  it('outside CI, says in one line that R2 settings were found and not used, naming the bucket and no secret', async () => {
    const note = target({ started: R2, settings: R2 });
    expect(note).to.equal('R2 settings found (R2_BUCKET_NAME=russ-fm-assets) but not used: --env development uses the embedded bucket; pass --env production to deploy');
    expect(target({ settings: { R2_ACCESS_KEY_ID: 'AKIDEXAMPLE', R2_SECRET_ACCESS_KEY: SECRET } })).to.match(/^R2 settings found \(R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY\) but not used/);
    expect(target({ settings: { R2_BUCKET_NAME: 'russ-fm-assets', R2_PUBLIC_DOMAIN: 'https://assets.russ.fm' } }), 'the filled-in example alone').to.equal(undefined);
    expect(target({ explicit: true, settings: R2 }), '--env development given').to.equal(undefined);
    expect(target({ settings: { ...R2, R2_BUCKET_NAME: 'evil\u001b[2J' } })).to.not.include('\u001b');
  });

  it('reads CI as CI services set it', async () => {
    for (const value of ['true', '1', 'yes', 'woodpecker']) expect(isCi({ CI: value }), value).to.equal(true);
    for (const value of [undefined, '', 'false', '0', 'FALSE']) expect(isCi({ CI: value }), String(value)).to.equal(false);
  });
});
