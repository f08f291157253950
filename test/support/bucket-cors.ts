/** A test bucket's CORS rule set as `gulp setup` sets it, straight on the server (not through the proxy). */
import type { CorsRule } from '../../lib/config/edge-policy';
import { wantedCors } from '../../lib/setup/cors-plan';
import { openBucketSettings } from '../../lib/storage/bucket-settings';
import type { StoreConfig } from '../../lib/storage/s3-client';

/** Gives the bucket exactly `rule`, or no CORS at all (undefined). */
export async function giveBucketCors(store: StoreConfig, rule: CorsRule | undefined): Promise<void> {
  const opened = openBucketSettings(store, { maxAttempts: 2 });
  try {
    const settings = opened.settings();
    await (rule ? settings.putCors([wantedCors(rule)]) : settings.deleteCors());
  } finally {
    opened.destroy();
  }
}
