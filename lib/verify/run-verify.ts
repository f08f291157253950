/**
 * `gulp verify` as a library call: the listing against the manifest (fast), then optionally every
 * (or a sample of) object read back through SHA-256 (deep) and fetched through the public URL.
 * The fast path costs the listing, one GET of the state record, and a HEAD only for objects the
 * listing cannot judge (multipart, unrecorded, or changed since the last sync).
 */
import { AssetsError, messageOf } from '../errors';
import type { CorsRule } from '../config/edge-policy';
import type { ImageManifest } from '../manifest/types';
import type { DesiredObject, RecordedObject } from '../plan/match';
import { findDrift, type Finding, type RemoteWithTime } from '../plan/verify-plan';
import { desiredFromRelease, type Release } from '../releases/release';
import type { ListedObject, ObjectStore } from '../storage/object-store';
import { coversWholeBucket, describeScope, refuseEmptyScope, type ObjectScope } from '../bucket/object-scope';
import { desiredObjects, runObjects, sizeNames } from '../bucket/desired';
import { DEFAULT_KEY_RULES, splitManaged, type KeyRules, type UnmanagedTally } from '../bucket/managed-keys';
import { inspect, listRemote, type RemoteListing } from '../bucket/listing';
import { readSyncState, stateRecordIs, type RecordsRead } from '../bucket/state-record';
import { changedSinceRecord } from '../plan/bucket-drift';
import { atLatest, latestRelease, type AtRelease } from './at-release';
import type { ReadProblem } from './deep-check';
import { mergeDeep, pick, startDeep } from './deep-run';
import type { PublicProblem } from './public-check';
import { runPublic, type PublicSummary } from './public-run';
import { currentWriter } from '../bucket/writer-lock';
import { ageOf, isFresh, type BucketRead } from '../bucket/listing-handoff';

export interface VerifyOptions {
  /** What the bucket must hold: the build's manifest, served with `cacheControl`… */
  readonly manifest?: ImageManifest;
  /** …or a recorded release, with the headers it recorded. */
  readonly release?: Release;
  readonly cacheControl: string;
  readonly scope: ObjectScope;
  /** Which keys are the tool's (sizes, `publish`, `ignore`, --exclude); default: every preset's sizes, nothing else. */
  readonly keys?: KeyRules;
  /** With a manifest: the dist/ whose files the config's `publish` globs name (checked too). */
  readonly dist?: string;
  /** Read objects back and hash them. */
  readonly deep: boolean;
  /** Fetch objects through this public base URL. */
  readonly publicBase?: string;
  /** Percentage of objects the deep and public checks read (default: all). */
  readonly sample?: number;
  readonly concurrency: number;
  readonly quiet?: boolean;
  /** Deadline of each public request, answer and body (default: the store's request deadline). */
  readonly requestTimeout?: number;
  /** The CORS rule public answers must carry (the environment's); undefined: CORS is not checked. */
  readonly cors?: CorsRule;
  /** A public p95 latency above this (ms) is a warning (default: the CDN settings' default). */
  readonly slowP95Ms?: number;
  /** What the sync before this verify read of the bucket, when it changed nothing (the pipeline): judged instead of listing again. */
  readonly read?: BucketRead;
  /** For a reproducible sample: the day number and the random source. */
  readonly day?: number;
  readonly random?: () => number;
}

export interface VerifyOutcome {
  /** Missing, corrupt (by listing, HEAD or read-back), stale headers, extra. */
  readonly findings: readonly Finding[];
  readonly unreadable: readonly ReadProblem[];
  readonly publicProblems: readonly PublicProblem[];
  /** With a public base: the answers' latency and the warnings it gave. */
  readonly public?: PublicSummary;
  readonly desiredCount: number;
  /** The tool's objects in the bucket (in scope); the rest are `unmanaged`. */
  readonly remoteCount: number;
  /** Objects in scope verify left alone: excluded or ignored, held (an idle publish glob), or not the tool's. */
  readonly unmanaged: UnmanagedTally;
  readonly matching: number;
  /** The objects judged to match (before any deep read). */
  readonly matched: readonly DesiredObject[];
  readonly checked: { readonly deep: number; readonly deepBytes: number; readonly public: number };
  readonly requests: { readonly list: number; readonly head: number; readonly get: number; readonly publicGet: number };
  /** The listing judged is the one the sync before this verify read, this many seconds earlier (it changed nothing). */
  readonly listingAgeSeconds?: number;
  /** Records as this run found them (state record + HEADs), for a repair to build on. */
  readonly records: Map<string, RecordedObject>;
  /** The state record as read (marks, ETag, time): `unreleased` means the latest release does not describe the bucket. */
  readonly state: Omit<RecordsRead, 'records'>;
  /** Why the listing shows the bucket changed after its state record (changedSinceRecord), read before any HEAD. */
  readonly behind?: string;
  /** The objects checked against (in the run), and the run's keys: what a repair's release records. */
  readonly desired: readonly DesiredObject[];
  readonly inScope: (key: string) => boolean;
  /** The scope covers every image: a repair may record the whole bucket. */
  readonly wholeBucket: boolean;
  /** The scope as its flags said it (describeScope); undefined for the whole bucket. */
  readonly scope?: string;
  /** When the bucket differs from the build and its latest release is a rollback: that release. */
  readonly rolledBack?: { readonly id: string; readonly restoredFrom?: string };
  /**
   * Findings against the build that are the bucket holding what its latest release records (a rollback,
   * or a release of another build): not damage. `keys` are those findings' keys; the rest stay problems.
   */
  readonly atRelease?: AtRelease;
  /** Who holds the writer lock, when verify found problems (or an unreleased mark) while a run writes. */
  readonly writing?: string;
  readonly seconds: number;
}

export function isClean(outcome: VerifyOutcome): boolean {
  return outcome.findings.length === 0 && outcome.unreadable.length === 0 && outcome.publicProblems.length === 0;
}

/** The bucket could not be read at all: never reported as "0 problems". */
export class UnreachableError extends AssetsError {
  constructor(where: string, error: unknown) {
    super('E_UNREACHABLE', `cannot read ${where}: ${messageOf(error)}; nothing was verified`,
      { hint: (error as { hint?: string }).hint ?? 'check S3_ENDPOINT / R2_ACCOUNT_ID, the credentials and the network', cause: error });
  }
}

/** Sync's read stands only while the state record is the one read with it: a run of this tool that wrote since changed it. */
const stillCurrent = (store: ObjectStore, read: BucketRead): Promise<boolean> => stateRecordIs(store, read.state.etag).catch(() => false);

/** Sync's read of the bucket, handed on by the pipeline: its objects in this run's scope, its state record. */
function judgeHanded(
  read: BucketRead, inScope: (key: string) => boolean, onPage?: (objects: readonly ListedObject[]) => void,
): [RemoteListing, RecordsRead] {
  const objects = read.objects.filter((o) => inScope(o.key));
  onPage?.(objects);
  return [{ objects, pages: read.pages }, read.state];
}

async function readBucket(
  store: ObjectStore, inScope: (key: string) => boolean, onPage?: (objects: readonly ListedObject[]) => void,
): Promise<[RemoteListing, RecordsRead]> {
  try {
    return await Promise.all([listRemote(store, inScope, onPage), readSyncState(store)]);
  } catch (error) {
    throw new UnreachableError(store.description, error);
  }
}

function expectedObjects(options: VerifyOptions): { all: DesiredObject[]; sizes: string[] } {
  if (options.release) {
    return {
      all: Object.entries(options.release.objects).map(([key, o]) => desiredFromRelease(key, o)),
      // A release may hold any size the tool ever made (a preset's, the config's): --size names any of them.
      sizes: [...(options.keys ?? DEFAULT_KEY_RULES).sizes],
    };
  }
  if (!options.manifest) throw new Error('runVerify needs a manifest or a release to check against');
  return { all: desiredObjects(options.manifest, options.cacheControl), sizes: sizeNames(options.manifest) };
}

export async function runVerify(store: ObjectStore, options: VerifyOptions): Promise<VerifyOutcome> {
  const started = performance.now();
  const { all, sizes } = expectedObjects(options);
  const rules = options.keys ?? DEFAULT_KEY_RULES;
  const run = await runObjects(all, { sizes, scope: options.scope, rules, cacheControl: options.cacheControl, dist: options.release ? undefined : options.dist });
  const { desired, inRun } = run;
  const deepRun = options.deep ? startDeep(store, desired, options) : undefined;
  const handed = options.read && (await stillCurrent(store, options.read)) && isFresh(options.read) ? options.read : undefined;
  const listingAgeSeconds = handed && ageOf(handed); // as old as it is when judged
  const [listing, { records, ...state }] = handed ? judgeHanded(handed, run.inScope, deepRun?.onPage)
    : await readBucket(store, run.inScope, deepRun?.onPage).catch(async (error: unknown) => {
      await deepRun?.finish();
      throw error;
    });
  const { managed, unmanaged, gets: releaseGets } = await splitManaged(store, listing.objects, run.keys, records);
  const headed = new Set<string>();
  const remote = managed as RemoteWithTime[];
  refuseEmptyScope(options.scope, desired.length, remote.length);
  const behind = changedSinceRecord({ remote, records, recordedAt: state.recordedAt, wanted: new Set(desired.map((o) => o.key)), inScope: inRun });
  const against = options.release ? `release ${options.release.id}` : undefined;
  const input = { desired, remote, records, headed, recordedAt: state.recordedAt, against };
  let drift = findDrift(input);
  if (drift.inspect.length > 0) {
    await inspect(store, drift.inspect, records);
    for (const key of drift.inspect) headed.add(key);
    drift = findDrift(input);
  }
  const findings = [...drift.findings];
  let matching = drift.matching.length;
  let unreadable: ReadProblem[] = [];
  let deepChecked = { objects: 0, bytes: 0 };
  if (deepRun) {
    const deep = await deepRun.finish();
    matching -= mergeDeep(findings, drift.matching, deep, remote);
    unreadable = deep.problems.filter((d) => d.kind === 'unreadable');
    deepChecked = deep;
  }
  const targets = options.publicBase ? pick(desired, options) : [];
  const publicRun = options.publicBase ? await runPublic(options.publicBase, targets, options) : undefined;
  // An object the bucket already has wrong is one problem, not two: its public answer is judged only once the bucket is right
  // (after a rollback, the release's bytes served publicly are what the bucket holds, not a second fault).
  const wrongInBucket = new Set(findings.map((f) => f.key));
  const publicProblems = (publicRun?.problems ?? []).filter((p) => p.kind === 'public-cors' || !wrongInBucket.has(p.key));
  const publicChecked = targets.length;
  findings.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // Differences from the build are expected after a rollback: say so, rather than advise a repair that undoes it.
  const latest = findings.length > 0 && !options.release ? await latestRelease(store) : undefined;
  const rolledBack = latest?.reason === 'restore' ? { id: latest.id, restoredFrom: latest.restoredFrom } : undefined;
  // Not while the state record is marked unreleased: the bucket then holds changes the latest release does not describe.
  const atRelease = latest && !state.unreleased ? atLatest(latest, findings, records) : undefined;
  // A writer at work explains findings better than damage does: say so rather than advise a repair.
  const writing = findings.length > 0 || state.unreleased ? await currentWriter(store) : undefined;
  return {
    rolledBack, atRelease, writing,
    findings, unreadable, publicProblems, public: publicRun?.summary, desiredCount: desired.length, remoteCount: remote.length, unmanaged, matching, matched: drift.matching,
    checked: { deep: deepChecked.objects, deepBytes: deepChecked.bytes, public: publicChecked },
    requests: { list: handed ? 0 : listing.pages, head: headed.size + (options.read ? 1 : 0), get: (handed ? 0 : 1) + releaseGets + deepChecked.objects, publicGet: publicChecked },
    listingAgeSeconds,
    records, state, behind, desired, inScope: inRun, wholeBucket: coversWholeBucket(options.scope) && rules.exclude.length === 0,
    scope: describeScope(options.scope), seconds: (performance.now() - started) / 1000,
  };
}
