/** A real s3rver on 127.0.0.1 for integration tests: fresh bucket, data in a temp folder, wiped on close. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalBucket, type LocalBucket } from '../../lib/storage/local-bucket';

export async function startTestS3rver(bucket = 'test-bucket'): Promise<LocalBucket> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const local = await startLocalBucket({ directory, bucket, port: 0, ephemeral: true });
  return {
    ...local,
    close: async () => {
      await local.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
