/**
 * A store whose chosen requests wait at a gate until the test opens it: to hold one run at a precise
 * point (its first PUT, a prune's delete) while another run goes ahead.
 */
import type { ObjectStore } from '../../lib/storage/object-store';

export type GatedCall = 'put' | 'copy' | 'deleteMany';

export function gatedStore(inner: ObjectStore, gated: (call: GatedCall, key: string) => boolean): { store: ObjectStore; reached: Promise<void>; open(): void } {
  let open!: () => void;
  let reach!: () => void;
  const gate = new Promise<void>((resolve) => { open = resolve; });
  const reached = new Promise<void>((resolve) => { reach = resolve; });
  const wait = async (call: GatedCall, key: string) => {
    if (!gated(call, key)) return;
    reach();
    await gate;
  };
  const store: ObjectStore = Object.create(inner) as ObjectStore;
  Object.assign(store, {
    put: async (r: Parameters<ObjectStore['put']>[0]) => { await wait('put', r.key); return inner.put(r); },
    copy: async (r: Parameters<ObjectStore['copy']>[0]) => { await wait('copy', r.key); return inner.copy(r); },
    deleteMany: async (keys: readonly string[]) => { await wait('deleteMany', keys[0] ?? ''); return inner.deleteMany(keys); },
  });
  return { store, reached, open };
}
