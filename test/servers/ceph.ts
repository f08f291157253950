/**
 * Ceph radosgw (scripts/ceph-rgw.sh) for the tests that need a store with real S3 behaviour: SigV4
 * checks, Content-MD5 rejection, multipart `-N` ETags, conditional PUTs, native versioning.
 * Locally a missing Ceph skips those tests with a message; in CI (CI set) it fails them.
 */
import { randomBytes } from 'node:crypto';
import { createS3Client, ensureBucket, setBucketVersioning, type StoreConfig } from '../../lib/storage/s3-client';

export const CEPH_ENDPOINT = process.env.CEPH_S3_ENDPOINT ?? 'http://127.0.0.1:7480';

let available: Promise<boolean> | undefined;
function cephAnswers(): Promise<boolean> {
  available ??= fetch(`${CEPH_ENDPOINT}/`, { signal: AbortSignal.timeout(2000) }).then(() => true, () => false);
  return available;
}

/** Call in a `before` hook: skips the suite locally when Ceph is absent, fails it in CI. */
export async function requireCeph(context: Mocha.Context): Promise<void> {
  if (await cephAnswers()) return;
  const message = `Ceph radosgw is not answering at ${CEPH_ENDPOINT}: run \`scripts/ceph-rgw.sh install && scripts/ceph-rgw.sh start\``;
  if (process.env.CI) throw new Error(`${message} (CI must run the Ceph tests)`);
  process.stderr.write(`      skipped: ${message}\n`);
  context.skip();
}

/** A fresh, empty bucket on Ceph for one test; `versioned` turns native versioning on. */
export async function freshCephBucket(secretAccessKey = 'TESTSECRET', versioned = false): Promise<StoreConfig> {
  const config: StoreConfig = {
    provider: 's3', endpoint: CEPH_ENDPOINT, bucket: `t-${randomBytes(6).toString('hex')}`, region: 'us-east-1',
    accessKeyId: 'TESTKEY', secretAccessKey,
  };
  const client = createS3Client(config, { maxAttempts: 3 });
  try {
    await ensureBucket(client, config.bucket);
    if (versioned) await setBucketVersioning(client, config.bucket, true);
  } finally { client.destroy(); }
  return config;
}
