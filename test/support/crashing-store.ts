/**
 * A process killed at a chosen moment, in-process: the store under a command answers its first
 * `survives` requests (each list page, HEAD, GET, PUT, copy and delete batch counts one) and then
 * nothing — every later request fails with SimulatedCrash, as if the process had died between two
 * requests. Requests already sent complete, as they would on the server. Much cheaper than a SIGKILL,
 * so the generated histories use it for most of their kills.
 */
import type {
  CopyRequest, DeleteResult, ListedObject, ObjectHead, ObjectStore, ObjectVersion, PutRequest, VersioningState, WriteResult,
} from '../../lib/storage/object-store';

export class SimulatedCrash extends Error {
  constructor() {
    super('simulated crash: the process died here');
  }
}

export class CrashingStore implements ObjectStore {
  readonly description: string;
  /** Requests made through this store so far. */
  requests = 0;

  constructor(private readonly inner: ObjectStore, private readonly survives: number) {
    this.description = inner.description;
  }

  get crashed(): boolean {
    return this.requests > this.survives;
  }

  private async step<T>(call: () => Promise<T>): Promise<T> {
    this.requests += 1;
    if (this.crashed) throw new SimulatedCrash();
    return call();
  }

  async *list(options?: { prefix?: string; startAfter?: string; pageSize?: number }): AsyncIterable<ListedObject[]> {
    const pages = this.inner.list(options)[Symbol.asyncIterator]();
    for (;;) {
      const page = await this.step(() => pages.next());
      if (page.done) return;
      yield page.value;
    }
  }

  async *listVersions(options?: { prefix?: string; pageSize?: number }): AsyncIterable<ObjectVersion[]> {
    const pages = this.inner.listVersions(options)[Symbol.asyncIterator]();
    for (;;) {
      const page = await this.step(() => pages.next());
      if (page.done) return;
      yield page.value;
    }
  }

  head(key: string): Promise<ObjectHead | null> { return this.step(() => this.inner.head(key)); }
  headVersion(key: string, versionId: string): Promise<ObjectHead | null> { return this.step(() => this.inner.headVersion(key, versionId)); }
  put(request: PutRequest): Promise<WriteResult> { return this.step(() => this.inner.put(request)); }
  copy(request: CopyRequest): Promise<WriteResult> { return this.step(() => this.inner.copy(request)); }
  deleteMany(keys: readonly string[]): Promise<DeleteResult> { return this.step(() => this.inner.deleteMany(keys)); }
  versioning(): Promise<VersioningState> { return this.step(() => this.inner.versioning()); }
  get(key: string): Promise<{ body: AsyncIterable<Uint8Array>; head: ObjectHead }> { return this.step(() => this.inner.get(key)); }
}
