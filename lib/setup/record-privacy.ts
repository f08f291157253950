/**
 * Whether the tool's own records can be read through the public domain. R2 public access is a custom
 * domain on a whole bucket, not a policy: every key in it is served, `_state/` and `_archive/` included.
 * So a record fetched publicly must not come back 200; the cure is a private R2_ARCHIVE_BUCKET.
 */
import type { EnvironmentName } from '../config/environment';
import { STATE_KEY } from '../bucket/state-record';
import { LATEST_KEY } from '../releases/release';
import type { ObjectStore } from '../storage/object-store';
import { publicUrl } from '../verify/public-check';
import { fetchAnswer } from './public-fetch';
import { failed, passed, skipped, type SetupItem } from './setup-item';

export interface PrivacyOptions {
  readonly environment: EnvironmentName;
  readonly publicBase?: string;
  /** R2_ARCHIVE_BUCKET, when the records are kept apart from the images. */
  readonly archiveBucket?: string;
  /** The embedded bucket serves every key to this machine by design: nothing private is at stake. */
  readonly embedded: boolean;
  /** The credentials probe's key while it is in the images' bucket (a record-shaped key known to exist). */
  readonly probeKey?: string;
  readonly timeoutMs: number;
}

const NAME = 'records private';

/** The first record key the images' bucket (the one the public domain serves) holds. */
async function recordInImagesBucket(images: ObjectStore, probeKey: string | undefined): Promise<string | undefined> {
  for (const key of [STATE_KEY, LATEST_KEY]) if (await images.head(key).catch(() => null)) return key;
  return probeKey;
}

/** `images`: the images' bucket alone (not a split store, which would route record keys to the archive bucket). */
export async function recordPrivacy(images: ObjectStore, options: PrivacyOptions): Promise<SetupItem> {
  if (!options.publicBase) return skipped(NAME, 'not checked: needs R2_PUBLIC_DOMAIN');
  if (options.embedded) return skipped(NAME, 'not checked: the embedded bucket serves every key to this machine, records included (on R2 this check matters)');
  const key = await recordInImagesBucket(images, options.probeKey);
  const env = options.environment;
  if (!key) {
    return options.archiveBucket
      ? passed(NAME, `the records are kept in R2_ARCHIVE_BUCKET "${options.archiveBucket}", which the public domain does not serve; the images' bucket holds none`)
      : skipped(NAME, 'not checked: the bucket holds no record yet, and --dry-run writes no probe to fetch');
  }
  const url = publicUrl(options.publicBase, key);
  const answer = await fetchAnswer(url, {}, options.timeoutMs);
  if ('error' in answer) return failed(NAME, `could not tell: ${url}: ${answer.error}`, 'check R2_PUBLIC_DOMAIN (see the public domain line)');
  if (answer.status === 403 || answer.status === 404) return passed(NAME, `${url} answered ${answer.status}: the records are not served`);
  if (answer.status !== 200) return failed(NAME, `could not tell: ${url} answered HTTP ${answer.status}`, 'check R2_PUBLIC_DOMAIN (see the public domain line)');
  const why = `${url} answered 200: anyone can read the tool's records (sync state, releases, archived covers). R2 serves every key of a bucket with a public domain: public access is the domain, not a policy`;
  return failed(NAME, why, options.archiveBucket
    ? `the images' bucket still holds history: move it into R2_ARCHIVE_BUCKET "${options.archiveBucket}" with \`gulp releases --env ${env} --move-history\``
    : `keep the records in a private bucket: create one with no public domain, set R2_ARCHIVE_BUCKET to its name, then run \`gulp releases --env ${env} --move-history\` (moves _releases/, _archive/, _state/, _history/ there)`);
}
