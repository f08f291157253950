/** Small builders of the planners' inputs: objects as the build wants them, as listed, as recorded, as released. */
import { headersHash, type DesiredObject, type RecordedObject, type RemoteObject } from '../../lib/plan/match';
import { releaseObject, type Release, type ReleaseObject } from '../../lib/releases/release';

export const CACHE_CONTROL = 'public, max-age=60';

export function desired(key: string, md5 = `md5-${key}`, extra: Partial<DesiredObject> = {}): DesiredObject {
  return { key, md5, sha256: `sha-${key}`, size: 100, contentType: 'image/jpeg', cacheControl: CACHE_CONTROL, ...extra };
}

export function listed(key: string, etag = `md5-${key}`, size = 100): RemoteObject {
  return { key, etag, size };
}

export function recordOf(o: DesiredObject, etag = o.md5): RecordedObject {
  return { etag, sha256: o.sha256, headersHash: headersHash(o) };
}

/** Records for objects that are in the bucket exactly as wanted. */
export function recordsOf(objects: readonly DesiredObject[]): Map<string, RecordedObject> {
  return new Map(objects.map((o) => [o.key, recordOf(o)]));
}

export function releaseWith(objects: readonly DesiredObject[], extra: Partial<Record<string, Partial<ReleaseObject>>> = {}): Release {
  return {
    schema: 1, id: '20260101T000000.000Z-00000000', createdAt: '2026-01-01T00:00:00.000Z', environment: 'development', reason: 'sync',
    objects: Object.fromEntries(objects.map((o) => [o.key, { ...releaseObject(o), ...extra[o.key] }])),
    changes: { created: [], updated: [], retagged: [], deleted: [] },
  };
}
