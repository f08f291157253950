import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupSettings, checkBackupFile, resolveBackupEnvironment } from '../../lib/config/backup-settings';
import { DEFAULT_CDN, DEFAULT_EDGE } from '../../lib/config/edge-policy';
import { secretValues } from '../../lib/config/environment';
import { ConfigError } from '../../lib/errors';

const PRIMARY = { R2_ACCOUNT_ID: 'a'.repeat(32), R2_BUCKET_NAME: 'russ-fm-assets', R2_ACCESS_KEY_ID: 'primary-key', R2_SECRET_ACCESS_KEY: 'primary-secret' };
const BACKUP = {
  BACKUP_S3_ENDPOINT: 'http://127.0.0.1:7480', BACKUP_R2_BUCKET_NAME: 'russ-fm-backup', BACKUP_R2_ACCESS_KEY_ID: 'backup-key',
  BACKUP_R2_SECRET_ACCESS_KEY: 'backup-secret', BACKUP_R2_PUBLIC_DOMAIN: 'https://backup-assets.example.com', BACKUP_S3_REGION: 'eu-west-1',
};

describe('the backup environment: the primary\'s settings with a BACKUP_ prefix, checked by the one validator', async () => {
  let dir = '';
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'backup-settings-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });
  const resolve = (env: Record<string, string>) => resolveBackupEnvironment(env, DEFAULT_EDGE.production, DEFAULT_CDN, dir);

  it('reads BACKUP_ names only, beside the primary\'s, and serves with production\'s headers', async () => {
    const env = resolve({ ...PRIMARY, ...BACKUP });
    expect(env).to.deep.include({ name: 'backup', bucket: 'russ-fm-backup', publicBase: 'https://backup-assets.example.com' });
    expect(env.store).to.deep.include({ provider: 's3', endpoint: 'http://127.0.0.1:7480', region: 'eu-west-1', accessKeyId: 'backup-key' });
    expect(env.cacheControl).to.equal(DEFAULT_EDGE.production.cacheControl);
  });

  it('takes BACKUP_R2_ACCOUNT_ID for another R2 account', async () => {
    const { BACKUP_S3_ENDPOINT: _, ...r2 } = BACKUP;
    expect(resolve({ ...r2, BACKUP_R2_ACCOUNT_ID: 'b'.repeat(32) }).store).to.deep.include({ provider: 'r2', endpoint: `https://${'b'.repeat(32)}.r2.cloudflarestorage.com` });
  });

  it('never lets a primary setting stand in for a missing BACKUP_ one, and names the BACKUP_ variable', async () => {
    const { BACKUP_R2_BUCKET_NAME: _, ...noBucket } = BACKUP;
    expect(backupSettings({ ...PRIMARY, ...noBucket }).R2_BUCKET_NAME).to.equal(undefined);
    expect(backupSettings({ R2_ADMIN_ACCESS_KEY_ID: 'primary-admin' }).R2_ADMIN_ACCESS_KEY_ID).to.equal(undefined);
    expect(() => resolve({ ...PRIMARY, ...noBucket })).to.throw(ConfigError, /^BACKUP_R2_BUCKET_NAME is not set \(needed for --env backup\)/);
    expect(() => resolve({ ...PRIMARY })).to.throw(ConfigError, /BACKUP_R2_ACCOUNT_ID is not set .*or set BACKUP_S3_ENDPOINT/);
    expect(() => resolve({ ...BACKUP, BACKUP_R2_BUCKET_NAME: 'Bad_Name' })).to.throw(ConfigError, /^BACKUP_R2_BUCKET_NAME "Bad_Name" is not a valid bucket name/);
  });

  it('refuses plain R2_/S3_ names in .env.backup: they would reach the primary in the same command', async () => {
    await writeFile(join(dir, '.env.backup'), 'R2_BUCKET_NAME=russ-fm-backup\nBACKUP_R2_ACCESS_KEY_ID=k\n');
    expect(() => checkBackupFile(dir)).to.throw(ConfigError, /sets R2_BUCKET_NAME: the backup's settings carry the BACKUP_ prefix/);
    await writeFile(join(dir, '.env.backup'), 'BACKUP_R2_BUCKET_NAME=russ-fm-backup\n');
    expect(() => checkBackupFile(dir)).to.not.throw();
  });

  it('scrubs the backup\'s secrets from reports like the primary\'s', async () => {
    expect(secretValues({ ...PRIMARY, ...BACKUP, BACKUP_CLOUDFLARE_PURGE_TOKEN: 'purge-token' }))
      .to.include.members(['primary-secret', 'backup-secret', 'backup-key', 'purge-token']);
  });
});
