import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { resolveEnvironment } from '../../lib/config/environment';
import { loadSettingsFiles, readSettings } from '../../lib/config/settings-files';
import { ConfigError } from '../../lib/errors';
import { REPO_ROOT } from '../helpers/paths';
import { makeTmpDir, removeTmp } from '../helpers/tmp';

const CREDENTIALS = { R2_ACCOUNT_ID: '0123456789abcdef0123456789abcdef', R2_ACCESS_KEY_ID: 'key-id-1234', R2_SECRET_ACCESS_KEY: 'secret-5678' };

describe('settings files: .env.<env> beside .env', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTmpDir('settings');
    await writeFile(join(dir, '.env'), 'R2_BUCKET_NAME=from-dotenv\nR2_PUBLIC_DOMAIN=https://shared.example\nR2_ACCESS_KEY_ID=shared-key\n');
    await writeFile(join(dir, '.env.staging'), 'R2_BUCKET_NAME=russ-fm-assets-staging\nR2_PUBLIC_DOMAIN=https://staging-assets.russ.fm\n');
    await writeFile(join(dir, '.env.production'), 'R2_BUCKET_NAME=russ-fm-assets\n');
  });
  afterEach(async () => { await removeTmp(dir); });

  it('takes each variable from the process environment, then .env.<env>, then .env', async () => {
    const staging = readSettings('staging', dir, {});
    expect(staging).to.include({ R2_BUCKET_NAME: 'russ-fm-assets-staging', R2_PUBLIC_DOMAIN: 'https://staging-assets.russ.fm', R2_ACCESS_KEY_ID: 'shared-key' });
    expect(readSettings('production', dir, {})).to.include({ R2_BUCKET_NAME: 'russ-fm-assets', R2_PUBLIC_DOMAIN: 'https://shared.example' });
    expect(readSettings('staging', dir, { R2_BUCKET_NAME: 'from-ci' }).R2_BUCKET_NAME).to.equal('from-ci');
    expect(readSettings('development', dir, {}).R2_BUCKET_NAME, 'no .env.development: .env alone').to.equal('from-dotenv');
  });

  it('reads nothing when there are no files, and names a settings file it cannot read', async () => {
    const empty = await makeTmpDir('settings-none');
    try {
      expect(readSettings('production', empty, {})).to.deep.equal({});
      await mkdir(join(empty, '.env.production'));
      expect(() => readSettings('production', empty, {})).to.throw(ConfigError, /cannot read the settings file .*\.env\.production: EISDIR/);
    } finally {
      await removeTmp(empty);
    }
  });

  it('loads them into the process environment without replacing what is already set there', async () => {
    await writeFile(join(dir, '.env.staging'), 'RUSSFM_TEST_STAGING=staging\nRUSSFM_TEST_SET=staging\n');
    await writeFile(join(dir, '.env'), 'RUSSFM_TEST_STAGING=dotenv\nRUSSFM_TEST_DOTENV=dotenv\n');
    process.env.RUSSFM_TEST_SET = 'process';
    try {
      loadSettingsFiles('staging', dir);
      expect(process.env).to.include({ RUSSFM_TEST_STAGING: 'staging', RUSSFM_TEST_DOTENV: 'dotenv', RUSSFM_TEST_SET: 'process' });
    } finally {
      for (const name of ['RUSSFM_TEST_STAGING', 'RUSSFM_TEST_DOTENV', 'RUSSFM_TEST_SET']) delete process.env[name];
    }
  });

  it('the examples hold russ.fm\'s staging and production buckets and domains, and the real files are git-ignored', async () => {
    const example = async (name: string) => parse(await readFile(join(REPO_ROOT, name)));
    const staging = resolveEnvironment('staging', { ...(await example('.env.staging.example')), ...CREDENTIALS });
    expect(staging).to.include({ bucket: 'russ-fm-assets-staging', publicBase: 'https://staging-assets.russ.fm' });
    const production = resolveEnvironment('production', { ...(await example('.env.production.example')), ...CREDENTIALS });
    expect(production).to.include({ bucket: 'russ-fm-assets', publicBase: 'https://assets.russ.fm' });
    const ignored = (path: string) => spawnSync('git', ['check-ignore', '-q', '--no-index', path], { cwd: REPO_ROOT }).status === 0;
    for (const file of ['.env', '.env.staging', '.env.production']) expect(ignored(file), file).to.equal(true);
    for (const file of ['.env.example', '.env.staging.example', '.env.production.example']) expect(ignored(file), file).to.equal(false);
  });
});
