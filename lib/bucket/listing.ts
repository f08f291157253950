/**
 * What sync, verify and restore read from a bucket: its listing (the images only, past the tool's own
 * prefixes) and, for what a listing cannot judge, a HEAD per object.
 */
import type { ServedHeaders } from '../plan/explain-changes';
import { recordFromHead, type RecordedObject } from '../plan/match';
import type { ListedObject, ObjectStore } from '../storage/object-store';
import { mapPool } from '../util/pool';
import { RESERVED_PREFIXES } from './object-scope';

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

/**
 * Plans; when the plan names objects the listing cannot judge, HEADs them (their records, and into `served`
 * the headers seen) and plans again on what they said. `heads`: how many were HEADed.
 */
export async function planLooking<P extends { readonly inspect: readonly string[] }>(
  store: ObjectStore, plan: () => P, records: Map<string, RecordedObject>, served?: Map<string, ServedHeaders>,
): Promise<{ planned: P; heads: number }> {
  const first = plan();
  if (first.inspect.length === 0) return { planned: first, heads: 0 };
  await inspect(store, first.inspect, records, served);
  return { planned: plan(), heads: first.inspect.length };
}

/** HEADs the keys the plan could not judge and records what their metadata says (and, into `served`, the headers seen). */
export async function inspect(
  store: ObjectStore, keys: readonly string[], records: Map<string, RecordedObject>, served?: Map<string, ServedHeaders>,
): Promise<void> {
  await mapPool(keys, 16, async (key) => {
    const head = await store.head(key);
    if (!head) return;
    records.set(key, recordFromHead(head));
    served?.set(key, { contentType: head.contentType, cacheControl: head.cacheControl });
  });
}
