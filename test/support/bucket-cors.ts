/** A test bucket's CORS rule set as `gulp setup` sets it, straight on the server (not through the proxy). */
import type { CorsRule } from '../../lib/config/edge-policy';
import { createS3Client, setBucketCors, type StoreConfig } from '../../lib/storage/s3-client';

/** Gives the bucket exactly `rule`, or no CORS at all (undefined). */
export async function giveBucketCors(store: StoreConfig, rule: CorsRule | undefined): Promise<void> {
  const client = createS3Client(store, { maxAttempts: 2 });
  try {
    await setBucketCors(client, store.bucket, rule);
  } finally {
    client.destroy();
  }
}
