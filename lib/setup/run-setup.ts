/**
 * `gulp setup`: bring a bucket to what assets.config.ts describes and check what setup cannot set.
 * Applies the images' bucket CORS (with admin credentials, or on a development bucket), then checks the
 * sync credentials (probe), the public domain (200, Cache-Control, CORS per origin), that records are
 * not public, and that no lifecycle rule deletes what rollbacks need. Every problem is collected; the
 * run never stops at the first. With --dry-run nothing is written: CORS is planned, the probe only reads.
 */
import type { Environment } from '../config/environment';
import type { ObjectStore } from '../storage/object-store';
import { openBucketSettings, type BucketCorsRule, type SettingRead } from '../storage/bucket-settings';
import { SplitStore } from '../storage/split-store';
import { RESERVED_PREFIXES } from '../validate/object-key';
import type { ConfigAccess } from './config-access';
import { corsStep } from './cors-step';
import { lifecycleCheck, type LifecycleTarget } from './lifecycle-check';
import { startProbe, type Probe } from './probe-credentials';
import { publicChecks } from './public-checks';
import { recordPrivacy } from './record-privacy';
import type { SetupItem } from './setup-item';

/** Where the images are published (the collections' folders). */
const IMAGE_PREFIXES = ['album/', 'artist/'] as const;

export interface SetupTarget {
  readonly env: Pick<Environment, 'name' | 'bucket' | 'archiveBucket' | 'cacheControl' | 'cors'>;
  /** The store the other commands use (a split store when R2_ARCHIVE_BUCKET keeps the records apart). */
  readonly store: ObjectStore;
  /** R2_PUBLIC_DOMAIN, or the embedded bucket's public URL. */
  readonly publicBase?: string;
  readonly embedded: boolean;
  readonly access: ConfigAccess;
}

export interface SetupOptions {
  readonly dryRun: boolean;
  /** Deadline of each public request (default 20 s). */
  readonly timeoutMs?: number;
  /** Whole-call deadline of each bucket-settings request (default 60 s). */
  readonly settingsDeadlineMs?: number;
}

export interface SetupReport {
  readonly ok: boolean;
  readonly environment: string;
  readonly bucket: string;
  readonly archiveBucket?: string;
  readonly dryRun: boolean;
  /** Bucket settings were read (and applied) with the admin token. */
  readonly admin: boolean;
  readonly items: readonly SetupItem[];
  /** The images bucket's CORS as it was before setup changed anything (undefined: not read). */
  readonly corsBefore?: SettingRead<BucketCorsRule[]>;
}

/** Each bucket the sync credentials write to, alone: the images', and the records' when apart. */
function bucketsOf(target: SetupTarget): { name: string; store: ObjectStore; bucket: string }[] {
  const { store, env } = target;
  if (!(store instanceof SplitStore)) return [{ name: 'credentials', store, bucket: env.bucket }];
  const { images, records } = store.buckets;
  return [images, records].map((side) => ({ name: `credentials (bucket "${side.bucket}")`, store: side.store, bucket: side.bucket }));
}

export async function runSetup(target: SetupTarget, options: SetupOptions): Promise<SetupReport> {
  const { env, access } = target;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const { settings, destroy } = openBucketSettings(access.config, { deadlineMs: options.settingsDeadlineMs });
  const probes: Probe[] = [];
  const credentials: SetupItem[] = [];
  try {
    const cors = await corsStep(settings(env.bucket), env.cors, { dryRun: options.dryRun, canApply: access.canApply, environment: env.name });
    const buckets = bucketsOf(target);
    for (const b of buckets) probes.push(await startProbe(b.store, { dryRun: options.dryRun, name: b.name, bucket: b.bucket }));
    const split = buckets.length > 1;
    const common = { environment: env.name, publicBase: target.publicBase, timeoutMs };
    const visible = await publicChecks(target.store, { ...common, cacheControl: env.cacheControl, origins: env.cors.origins, corsPending: cors.pending });
    const privacy = await recordPrivacy(buckets[0]?.store ?? target.store, {
      ...common, archiveBucket: env.archiveBucket, embedded: target.embedded, probeKey: split ? undefined : probes[0]?.key,
    });
    while (probes.length > 0) credentials.push(await (probes.shift() as Probe).finish());
    const lifecycle: LifecycleTarget[] = env.archiveBucket
      ? [{ settings: settings(env.bucket), prefixes: IMAGE_PREFIXES }, { settings: settings(env.archiveBucket), prefixes: RESERVED_PREFIXES }]
      : [{ settings: settings(env.bucket), prefixes: [...RESERVED_PREFIXES, ...IMAGE_PREFIXES] }];
    const items = [cors.item, ...credentials, ...visible, privacy, await lifecycleCheck(lifecycle, env.name)];
    return {
      ok: items.every((item) => item.ok !== false), environment: env.name, bucket: env.bucket, archiveBucket: env.archiveBucket,
      dryRun: options.dryRun, admin: access.admin, items, corsBefore: cors.before,
    };
  } finally {
    // A check that threw must not leave a probe object behind.
    for (const probe of probes) await probe.finish().catch(() => undefined);
    destroy();
  }
}
