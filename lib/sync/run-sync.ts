/**
 * `gulp sync` as a library call: manifest + bucket listing + state record → plan → (dry run stops)
 * → executor → new state record → report. The normal path costs the listing and one GET.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathUnder } from '../util/contained-path';
import { ConfigError, messageOf } from '../errors';
import type { ApplyResult, StopSignal } from '../execute/apply-plan';
import type { AdaptiveLimiter } from '../execute/adaptive-limiter';
import { commitChange, needsRelease } from '../execute/commit-change';
import { preserveFirst } from '../execute/preserve';
import { manifestPath, readManifest } from '../manifest/io';
import type { ImageManifest } from '../manifest/types';
import { recordFromHead, type DesiredObject, type RecordedObject } from '../plan/match';
import { planTotals, type PlanTotals } from '../plan/plan-cost';
import { planSync, type DeleteLimits, type SyncPlan } from '../plan/sync-plan';
import type { ListedObject, ObjectStore } from '../storage/object-store';
import { mapPool } from '../util/pool';
import { createProgress } from '../util/progress';
import { coversWholeBucket, describeScope, keyInScope, RESERVED_PREFIXES, type ObjectScope } from './object-scope';
import { changedSinceRecord } from '../plan/bucket-drift';
import { composeObjects, type Release } from '../releases/release';
import { readSyncState } from './state-record';

export interface SyncOptions {
  readonly dist: string;
  readonly cacheControl: string;
  readonly scope: ObjectScope;
  readonly delete: boolean;
  readonly limits: DeleteLimits;
  readonly dryRun: boolean;
  readonly concurrency: number;
  readonly quiet?: boolean;
  readonly limiter?: AdaptiveLimiter;
  /** Named in the release record. */
  readonly environment?: string;
  /** Called with the plan once it is made, before any write (so it is shown before the work, not after). */
  readonly onPlan?: (planned: Pick<SyncOutcome, 'plan' | 'totals'>) => void;
  /** Stops new writes (Ctrl-C): what was done is recorded, the rest is left for the next run. */
  readonly signal?: StopSignal;
}

export interface SyncOutcome {
  readonly plan: SyncPlan;
  readonly totals: PlanTotals;
  readonly result?: ApplyResult;
  /** The release this sync made the latest (none when the latest already described the bucket). */
  readonly release?: Release;
  /** That release is the record a stopped run had written, now made the latest. */
  readonly adopted?: boolean;
  /** Why the bucket is left with changes no release records (a scoped run after a stopped one). */
  readonly unrecorded?: string;
  /** The release that describes the bucket after the run (new or not). */
  readonly describedBy?: string;
  readonly seconds: number;
}

/** The objects the build wants in the bucket, from the manifest, with this environment's headers. */
export function desiredObjects(manifest: ImageManifest, cacheControl: string): DesiredObject[] {
  return Object.values(manifest.sources).flatMap((source) => source.variants.map((v) => ({
    key: v.key, md5: v.md5, sha256: v.sha256, size: v.bytes, contentType: v.contentType, cacheControl,
  })));
}

export function sizeNames(manifest: ImageManifest): string[] {
  return [...new Set(Object.values(manifest.sources).flatMap((s) => s.variants.map((v) => v.size)))];
}

export interface RemoteListing {
  readonly objects: ListedObject[];
  readonly pages: number;
}

/**
 * The bucket's objects in scope; `onPage` sees each page's in-scope objects as it arrives. When a page
 * ends inside one of the tool's own prefixes (`_archive/`, `_releases/`, `_state/`: they sort before
 * `album/`), the listing jumps to that prefix's end, so however large the archive and the release
 * history grow, a sync or verify lists only the images (about one extra request). Other keys that start
 * with `_` are listed like any key: they may be extras.
 */
export async function listRemote(
  store: ObjectStore, inScope: (key: string) => boolean, onPage?: (objects: readonly ListedObject[]) => void,
): Promise<RemoteListing> {
  const objects: ListedObject[] = [];
  let pages = 0;
  let startAfter: string | undefined;
  for (;;) {
    let jumpTo: string | undefined;
    for await (const page of store.list({ startAfter })) {
      pages += 1;
      const start = objects.length;
      for (const o of page) if (inScope(o.key)) objects.push(o);
      onPage?.(objects.slice(start));
      const last = page[page.length - 1]?.key ?? '';
      const reserved = RESERVED_PREFIXES.find((prefix) => last.startsWith(prefix));
      if (reserved) { jumpTo = `${reserved}\u{10FFFF}`; break; }
    }
    if (!jumpTo) return { objects, pages };
    startAfter = jumpTo;
  }
}

/** HEADs the keys the plan could not judge and records what their metadata says. */
export async function inspect(store: ObjectStore, keys: readonly string[], records: Map<string, RecordedObject>): Promise<void> {
  await mapPool(keys, 16, async (key) => {
    const head = await store.head(key);
    if (!head) return;
    records.set(key, recordFromHead(head));
  });
}

/**
 * Reads a built object's bytes from dist/. Synchronous on purpose: images are small, and async reads
 * measured ~1 ms of main-thread time each (open, fstat, read, close) against ~0.05 ms synchronously.
 */
export function distReader(dist: string): (object: DesiredObject) => Promise<Buffer> {
  const root = resolve(dist);
  return async (object) => {
    const path = pathUnder(root, object.key);
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ConfigError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? messageOf(error)}`,
        'run `gulp build` to rebuild dist/');
    }
  };
}

/** The build's manifest; `manifestFlag`: the command takes --manifest, so the hint may say so. */
export async function requireManifest(dist: string, file = manifestPath(resolve(dist)), manifestFlag = false): Promise<ImageManifest> {
  const manifest = await readManifest(file);
  // True for the command that asked: the build must write where this command reads, and only some commands take --manifest.
  const build = dist === 'dist' ? 'gulp build' : `gulp build --dest ${dist}`;
  if (!manifest) throw new ConfigError(`no image manifest at ${file}`, `run \`${build}\` first${manifestFlag ? ', or name one with --manifest' : ''}`);
  return manifest;
}

export async function runSync(store: ObjectStore, options: SyncOptions): Promise<SyncOutcome> {
  const started = performance.now();
  const manifest = await requireManifest(options.dist);
  const sizes = sizeNames(manifest);
  const inScope = (key: string) => keyInScope(key, options.scope, sizes);
  const desired = desiredObjects(manifest, options.cacheControl).filter((o) => inScope(o.key));
  const [{ objects: remote, pages }, state] = await Promise.all([listRemote(store, inScope), readSyncState(store)]);
  const { records } = state;
  const behind = changedSinceRecord({ remote, records, recordedAt: state.recordedAt, wanted: new Set(desired.map((o) => o.key)), inScope });
  const planInput = { desired, remote, records, delete: options.delete, limits: options.limits, scope: describeScope(options.scope) };
  let planned = planSync(planInput);
  const heads = planned.inspect.length;
  if (heads > 0) {
    await inspect(store, planned.inspect, records);
    planned = planSync(planInput);
  }
  const { plan, versioned, requests } = await preserveFirst(store, planned, records);
  // The release pointer is read (before any write, for the conditional update) only when a release may be
  // published: so a no-change sync costs the listing and one GET.
  const change = { plan, versioned, records, state, learned: heads > 0, behind, wholeBucket: coversWholeBucket(options.scope) };
  const publishes = needsRelease(change);
  const totals = planTotals(plan, { listPages: pages, heads: heads + requests.head, gets: (publishes ? 3 : 1) + requests.get });
  options.onPlan?.({ plan, totals });
  if (options.dryRun) return { plan, totals, seconds: (performance.now() - started) / 1000 };

  const writes = plan.actions.filter((a) => a.kind !== 'delete').length;
  const progress = createProgress({ label: 'sync', total: writes, unit: 'obj', silent: options.quiet });
  const committed = await commitChange(store, {
    ...change,
    release: {
      environment: options.environment ?? 'development', reason: 'sync', manifest,
      objects: (previous) => composeObjects(previous?.objects, desired, inScope),
    },
  }, {
    concurrency: options.concurrency, limiter: options.limiter, readBody: distReader(options.dist), signal: options.signal,
    onDone: (_action, bytes) => progress.tick(1, bytes),
  }).finally(() => progress.done());
  return {
    plan, totals, result: committed.result, release: committed.release, adopted: committed.adopted, unrecorded: committed.unrecorded,
    describedBy: committed.describedBy,
    seconds: (performance.now() - started) / 1000,
  };
}
