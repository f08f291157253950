/**
 * Pure verification: desired objects + bucket listing + what is known about remote objects → every
 * object that is missing, corrupt, served with stale headers, or extra, and the keys that need a HEAD
 * before they can be judged. Uses the same matcher as sync.
 */
import {
  compareContent, compareHeaders, currentRecord, extraReason, isMultipartEtag, matchObjects,
  type DesiredObject, type RecordedObject, type RemoteObject,
} from './match';

export type Finding =
  | { readonly kind: 'missing'; readonly key: string; readonly local: DesiredObject; readonly reason: string }
  | {
    readonly kind: 'corrupt'; readonly key: string; readonly local: DesiredObject; readonly remote: RemoteObject; readonly reason: string;
    /** Read back, its bytes are not what its ETag claims (bit rot): they are no release's content. */
    readonly damaged?: boolean;
  }
  | { readonly kind: 'stale-headers'; readonly key: string; readonly local: DesiredObject; readonly remote: RemoteObject; readonly reason: string }
  | { readonly kind: 'extra'; readonly key: string; readonly remote: RemoteObject; readonly reason: string };

export interface RemoteWithTime extends RemoteObject {
  readonly lastModified: Date;
}

export interface VerifyInput {
  readonly desired: readonly DesiredObject[];
  readonly remote: readonly RemoteWithTime[];
  /** The last sync's records, with HEAD results laid over them. */
  readonly records: ReadonlyMap<string, RecordedObject>;
  /** Keys already HEADed in this run: their records are first-hand. */
  readonly headed: ReadonlySet<string>;
  /**
   * When the last sync wrote its record. An object modified after it was changed behind the tool's
   * back (a copy with other headers keeps its ETag), so its headers are checked by a HEAD. Stores
   * give LastModified to the second, so a change within that same second is left to --deep, which
   * compares the headers every GET is served with.
   */
  readonly recordedAt?: Date;
  /** What the bucket is checked against, for reasons: `the build` (default) or `release <id>`. */
  readonly against?: string;
}

export interface Drift {
  readonly findings: readonly Finding[];
  /** Keys that need a HEAD before they can be judged (multipart objects, unrecorded or touched ones). */
  readonly inspect: readonly string[];
  /** Objects present on both sides and judged the same. */
  readonly matching: readonly DesiredObject[];
}

function contentReason(local: DesiredObject, remote: RemoteObject, recorded: RecordedObject | undefined): string {
  if (local.size !== remote.size) return `${remote.size} bytes in the bucket, ${local.size} in the build`;
  if (!isMultipartEtag(remote.etag)) return `ETag ${remote.etag} is not the build's MD5 ${local.md5}`;
  if (!recorded?.sha256) return 'multipart object without sha256 metadata: its bytes cannot be proven';
  return `sha256 metadata ${recorded.sha256.slice(0, 12)}… is not the build's ${local.sha256.slice(0, 12)}…`;
}

/** Whether the served headers need a HEAD: nothing current is recorded, or the object changed since the record. */
function headersNeedHead(remote: RemoteWithTime, input: VerifyInput, recorded: RecordedObject | undefined): boolean {
  if (input.headed.has(remote.key)) return false;
  if (!currentRecord(remote, recorded)) return true;
  // Whole seconds: a GET's Last-Modified header has no milliseconds, while some listings do.
  const second = (at: Date) => Math.floor(at.getTime() / 1000);
  return input.recordedAt !== undefined && second(remote.lastModified) > second(input.recordedAt);
}

export function findDrift(input: VerifyInput): Drift {
  const findings: Finding[] = [];
  const inspect: string[] = [];
  const matching: DesiredObject[] = [];
  const remoteByKey = new Map(input.remote.map((r) => [r.key, r]));
  for (const { key, local, remote } of matchObjects(input.desired, input.remote)) {
    if (local && !remote) { findings.push({ kind: 'missing', key, local, reason: 'not in the bucket' }); continue; }
    if (!local && remote) { findings.push({ kind: 'extra', key, remote, reason: extraReason(key, `in the bucket, not in ${input.against ?? 'the build'}`) }); continue; }
    if (!local || !remote) continue;
    const timed = remoteByKey.get(key) as RemoteWithTime;
    const recorded = input.records.get(key);
    const headed = input.headed.has(key);
    // A multipart ETag proves nothing about the bytes: its stored sha256, read by a HEAD, is the only proof.
    if (local.size === remote.size && isMultipartEtag(remote.etag) && !headed) { inspect.push(key); continue; }
    const content = compareContent(local, remote, headed ? recorded : currentRecord(remote, recorded));
    if (content !== 'same') {
      findings.push({ kind: 'corrupt', key, local, remote, reason: contentReason(local, remote, currentRecord(remote, recorded)) });
      continue;
    }
    if (headersNeedHead(timed, input, recorded)) { inspect.push(key); continue; }
    const headers = compareHeaders(local, remote, recorded);
    if (headers === 'same') { matching.push(local); continue; }
    findings.push({
      kind: 'stale-headers', key, local, remote,
      reason: headers === 'unknown' ? 'the object changed while it was being verified: run verify again'
        : `served headers differ from Content-Type ${local.contentType}, Cache-Control ${local.cacheControl}`,
    });
  }
  return { findings, inspect, matching };
}
