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
import { skipped, type SetupItem } from './setup-item';
import { STOPPED_BY_CTRL_C } from '../util/interrupt';

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
  /** Ctrl-C (watchInterrupt): once aborted, the steps not begun are skipped; the probes are still removed. */
  readonly signal?: { readonly aborted: boolean };
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
  /** Stopped by Ctrl-C: the items it left unchecked (each also a – line). */
  readonly unchecked?: readonly string[];
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
  const stopped = () => options.signal?.aborted === true;
  const unchecked: string[] = [];
  const stop = (name: string): SetupItem => { unchecked.push(name); return skipped(name, `not checked: ${STOPPED_BY_CTRL_C}`); };
  const probes: Probe[] = [];
  const credentials: SetupItem[] = [];
  try {
    const cors = stopped() ? undefined : await corsStep(settings(env.bucket), env.cors, { dryRun: options.dryRun, canApply: access.canApply, environment: env.name });
    const buckets = bucketsOf(target);
    for (const b of buckets) {
      if (stopped()) credentials.push(stop(b.name));
      else probes.push(await startProbe(b.store, { dryRun: options.dryRun, name: b.name, bucket: b.bucket }));
    }
    const split = buckets.length > 1;
    const common = { environment: env.name, publicBase: target.publicBase, timeoutMs };
    const visible = stopped()
      ? ['public domain', ...env.cors.origins.map((o) => `CORS for ${o}`)].map(stop)
      : await publicChecks(target.store, { ...common, cacheControl: env.cacheControl, origins: env.cors.origins, corsPending: cors?.pending ?? false });
    const privacy = stopped() ? stop('records private') : await recordPrivacy(buckets[0]?.store ?? target.store, {
      ...common, archiveBucket: env.archiveBucket, embedded: target.embedded, probeKey: split ? undefined : probes[0]?.key,
    });
    // Even when stopped: finishing a probe removes it from the bucket.
    while (probes.length > 0) credentials.unshift(await (probes.pop() as Probe).finish());
    const lifecycle: LifecycleTarget[] = env.archiveBucket
      ? [{ settings: settings(env.bucket), prefixes: IMAGE_PREFIXES }, { settings: settings(env.archiveBucket), prefixes: RESERVED_PREFIXES }]
      : [{ settings: settings(env.bucket), prefixes: [...RESERVED_PREFIXES, ...IMAGE_PREFIXES] }];
    const lifecycleItem = stopped() ? stop('lifecycle') : await lifecycleCheck(lifecycle, env.name);
    const items = [cors?.item ?? stop('CORS'), ...credentials, ...visible, privacy, lifecycleItem];
    return {
      ok: items.every((item) => item.ok !== false), environment: env.name, bucket: env.bucket, archiveBucket: env.archiveBucket,
      dryRun: options.dryRun, admin: access.admin, items, corsBefore: cors?.before, unchecked: unchecked.length > 0 ? unchecked : undefined,
    };
  } finally {
    // A check that threw must not leave a probe object behind.
    for (const probe of probes) await probe.finish().catch(() => undefined);
    destroy();
  }
}
