/**
 * An ObjectStore that passes every call through and adds up the bytes that cross the wire: PUT bodies
 * (split into images and the tool's own JSON records) and GET bodies. The counting proxy counts requests;
 * this counts what they carried.
 */
import type { CopyRequest, ObjectStore, PutRequest } from '../lib/storage/object-store';
import { isReserved } from '../lib/bucket/object-scope';

export interface ByteCounts {
  /** PUT body bytes of image objects (a rollback must send none). */
  objectPutBytes: number;
  /** PUT body bytes of `_state/`, `_releases/` and `_archive/` objects, by key. */
  recordPuts: Record<string, number>;
  /** How many PUTs of those there were (a key may be written twice: the state record is marked, then saved). */
  recordPutCount: number;
  /** GET body bytes, by key. */
  gets: Record<string, number>;
}

export class CountingStore implements ObjectStore {
  counts: ByteCounts = CountingStore.zero();

  constructor(private readonly inner: ObjectStore) {}

  static zero(): ByteCounts {
    return { objectPutBytes: 0, recordPuts: {}, recordPutCount: 0, gets: {} };
  }

  get description(): string {
    return this.inner.description;
  }

  reset(): void {
    this.counts = CountingStore.zero();
  }

  list(options?: { prefix?: string; startAfter?: string; pageSize?: number }) {
    return this.inner.list(options);
  }

  head(key: string) {
    return this.inner.head(key);
  }

  versioning() {
    return this.inner.versioning();
  }

  listVersions(options?: { prefix?: string; pageSize?: number }) {
    return this.inner.listVersions(options);
  }

  headVersion(key: string, versionId: string) {
    return this.inner.headVersion(key, versionId);
  }

  put(request: PutRequest) {
    if (isReserved(request.key)) {
      this.counts.recordPuts[request.key] = (this.counts.recordPuts[request.key] ?? 0) + request.body.length;
      this.counts.recordPutCount += 1;
    }
    else this.counts.objectPutBytes += request.body.length;
    return this.inner.put(request);
  }

  copy(request: CopyRequest) {
    return this.inner.copy(request);
  }

  deleteMany(keys: readonly string[]) {
    return this.inner.deleteMany(keys);
  }

  async get(key: string) {
    const { body, head } = await this.inner.get(key);
    const counts = this.counts;
    async function* counted() {
      for await (const chunk of body) {
        counts.gets[key] = (counts.gets[key] ?? 0) + chunk.length;
        yield chunk;
      }
    }
    return { body: counted(), head };
  }
}
