/**
 * `gulp sync` as a library call: manifest (+ the files the config publishes from dist/) + bucket listing
 * (its unmanaged keys set aside) + state record → plan → (dry run stops) → executor → new state record →
 * report. The normal path costs the listing and one GET.
 */
import type { ApplyResult, StopSignal } from '../execute/apply-plan';
import type { AdaptiveLimiter } from '../execute/adaptive-limiter';
import { commitChange, needsRelease } from '../execute/commit-change';
import { preserveFirst } from '../execute/preserve';
import { planTotals, type PlanTotals } from '../plan/plan-cost';
import { planSync, type DeleteLimits, type SyncPlan } from '../plan/sync-plan';
import type { ObjectStore } from '../storage/object-store';
import { createProgress } from '../util/progress';
import { coversWholeBucket, describeScope, refuseEmptyScope, type ObjectScope } from '../bucket/object-scope';
import { objectFigures } from '../history/figures';
import type { ObjectFigures } from '../history/types';
import { desiredObjects, distReader, requireManifest, runObjects, sizeNames } from '../bucket/desired';
import { refuseRemoteGone, remoteBytes } from '../bucket/remote-bytes';
import { listRemote, planLooking } from '../bucket/listing';
import { DEFAULT_KEY_RULES, splitManaged, type KeyRules, type UnmanagedTally } from '../bucket/managed-keys';
import type { ServedHeaders } from '../plan/explain-changes';
import { changedSinceRecord } from '../plan/bucket-drift';
import { composeObjects, type Release } from '../releases/release';
import { readSyncState } from '../bucket/state-record';
import type { BucketRead } from '../bucket/listing-handoff';

export interface SyncOptions {
  readonly dist: string;
  readonly cacheControl: string;
  readonly scope: ObjectScope;
  /** Which keys are the tool's (sizes, `publish`, `ignore`, --exclude); default: every preset's sizes, nothing else. */
  readonly keys?: KeyRules;
  readonly delete: boolean;
  readonly limits: DeleteLimits;
  readonly dryRun: boolean;
  /** --force: send every object in scope, even those the bucket already holds. */
  readonly force?: boolean;
  readonly concurrency: number;
  readonly quiet?: boolean;
  readonly limiter?: AdaptiveLimiter;
  /** Named in the release record. */
  readonly environment?: string;
  /** Called with the plan once it is made, before any write (so it is shown before the work, not after). */
  readonly onPlan?: (planned: Pick<SyncOutcome, 'plan' | 'totals' | 'unmanaged' | 'published'>) => void;
  /** Stops new writes (Ctrl-C): what was done is recorded, the rest is left for the next run. */
  readonly signal?: StopSignal;
  /** Called, before the run ends, when it changes nothing in the bucket: with what it read of it (the pipeline's verify judges that). */
  readonly onUnchanged?: (read: BucketRead) => void;
}

export interface SyncOutcome {
  readonly plan: SyncPlan;
  readonly totals: PlanTotals;
  /** Objects in scope the run left alone: excluded or ignored, held (an idle publish glob), or not the tool's. */
  readonly unmanaged: UnmanagedTally;
  /** The files the config publishes from dist/: how many, hashed this run (not in the digest index), idle globs. */
  readonly published: { readonly files: number; readonly hashed: number; readonly seconds: number; readonly idle: readonly string[] };
  readonly result?: ApplyResult;
  /** The release this sync made the latest (none when the latest already described the bucket). */
  readonly release?: Release;
  /** That release is the record a stopped run had written, now made the latest. */
  readonly adopted?: boolean;
  /** Why the bucket is left with changes no release records (a scoped run after a stopped one). */
  readonly unrecorded?: string;
  /** The release that describes the bucket after the run (new or not). */
  readonly describedBy?: string;
  /** The build's images in the run's scope (for the run history). */
  readonly objects: ObjectFigures;
  /** The run's scope as its flags said it (describeScope); undefined for the whole bucket. */
  readonly scope?: string;
  readonly seconds: number;
}

export async function runSync(store: ObjectStore, options: SyncOptions): Promise<SyncOutcome> {
  const started = performance.now();
  const manifest = await requireManifest(options.dist);
  const sizes = sizeNames(manifest);
  const rules = options.keys ?? DEFAULT_KEY_RULES;
  const run = await runObjects(desiredObjects(manifest, options.cacheControl), { sizes, scope: options.scope, rules, cacheControl: options.cacheControl, dist: options.dist });
  const { desired, inRun } = run;
  // The whole listing is kept (not only the run's scope) for the verify a pipeline runs after a sync that changed nothing.
  const listedAt = performance.now();
  const [{ objects: all, pages }, state] = await Promise.all([listRemote(store, () => true), readSyncState(store)]);
  const listed = all.filter((o) => run.inScope(o.key));
  const { managed: remote, unmanaged, gets: releaseGets } = await splitManaged(store, listed, run.keys, state.records);
  refuseEmptyScope(options.scope, desired.length, remote.length);
  const { records } = state;
  const behind = changedSinceRecord({ remote, records, recordedAt: state.recordedAt, wanted: new Set(desired.map((o) => o.key)), inScope: inRun });
  const served = new Map<string, ServedHeaders>();
  const scope = describeScope(options.scope);
  const planInput = { desired, remote, records, served, delete: options.delete, limits: options.limits, scope, force: options.force };
  const { planned, heads } = await planLooking(store, () => planSync(planInput), records, served);
  const { plan, versioned, requests } = await preserveFirst(store, planned, records);
  await refuseRemoteGone(store, plan.actions, options.dist);
  // The release pointer is read (before any write, for the conditional update) only when a release may be
  // published: so a no-change sync costs the listing and one GET. --exclude narrows the run like a scope.
  const wholeBucket = coversWholeBucket(options.scope) && rules.exclude.length === 0;
  const change = { plan, versioned, records, state, learned: heads > 0, behind, wholeBucket };
  const publishes = needsRelease(change);
  const totals = planTotals(plan, { listPages: pages, heads: heads + requests.head, gets: (publishes ? 3 : 1) + requests.get + releaseGets });
  const { published: scan } = run;
  const published = { files: scan.objects.length, hashed: scan.hashed, seconds: Number(scan.seconds.toFixed(3)), idle: scan.idle };
  options.onPlan?.({ plan, totals, unmanaged, published });
  const objects = objectFigures(manifest, inRun);
  // Nothing this run does changes the bucket: not an image, not a record (a run that HEADed saves what it learned).
  if (options.dryRun || (!publishes && heads === 0)) options.onUnchanged?.({ objects: all, pages, state, listedAt });
  if (options.dryRun) return { plan, totals, unmanaged, published, objects, scope, seconds: (performance.now() - started) / 1000 };

  const writes = plan.actions.filter((a) => a.kind !== 'delete').length;
  const progress = createProgress({ label: 'sync', total: writes, unit: 'obj', silent: options.quiet });
  const committed = await commitChange(store, {
    ...change,
    release: {
      environment: options.environment ?? 'development', reason: 'sync', manifest,
      objects: (previous) => composeObjects(previous?.objects, desired, inRun),
    },
  }, {
    concurrency: options.concurrency, limiter: options.limiter, readBody: distReader(options.dist, remoteBytes(store)), signal: options.signal,
    onDone: (_action, bytes) => progress.tick(1, bytes),
  }).finally(() => progress.done());
  return {
    plan, totals, unmanaged, published, result: committed.result, release: committed.release, adopted: committed.adopted, unrecorded: committed.unrecorded,
    describedBy: committed.describedBy, objects, scope,
    seconds: (performance.now() - started) / 1000,
  };
}
