/**
 * Pure: which of verify's findings against the build are the bucket holding what a recorded release
 * (the one the latest pointer names, e.g. a rollback) records, rather than damage. An object that
 * matches neither the build nor that release stays a problem.
 */
import type { ReleaseObject } from '../releases/release';
import type { RecordedObject, RemoteObject } from './match';
import type { Finding } from './verify-plan';

/** The listed object holds the release's bytes: its ETag is the release's MD5, or (multipart) its record's SHA-256 is the release's. */
function holdsReleaseBytes(remote: RemoteObject, recorded: ReleaseObject, records: ReadonlyMap<string, RecordedObject>): boolean {
  if (remote.size !== recorded.size) return false;
  if (remote.etag === recorded.md5) return true;
  const record = records.get(remote.key);
  return record !== undefined && record.etag === remote.etag && record.sha256 === recorded.sha256;
}

/** The findings that the release's objects explain (the rest are problems against both). */
export function explainedByRelease(
  findings: readonly Finding[], objects: Readonly<Record<string, ReleaseObject>>, records: ReadonlyMap<string, RecordedObject>,
): Finding[] {
  return findings.filter((f) => {
    const recorded = Object.hasOwn(objects, f.key) ? objects[f.key] : undefined;
    switch (f.kind) {
      case 'missing': return recorded === undefined;
      case 'extra': return recorded !== undefined && holdsReleaseBytes(f.remote, recorded, records);
      case 'corrupt': return f.damaged !== true && recorded !== undefined && holdsReleaseBytes(f.remote, recorded, records);
      case 'stale-headers': // the release served other headers than the build wants, and the bucket holds its bytes
        return recorded !== undefined && holdsReleaseBytes(f.remote, recorded, records)
          && (recorded.contentType !== f.local.contentType || recorded.cacheControl !== f.local.cacheControl);
    }
  });
}
