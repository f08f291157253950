/**
 * What the bucket stores, by a full listing: the images (every key outside the tool's prefixes, unmanaged
 * ones included: R2 bills them all), the archive, and the tool's other records. ⌈N/1000⌉ class A requests;
 * only `gulp report` and `gulp cost` pay for it, so a no-change sync stays at its budget.
 */
import { listRemote } from '../bucket/listing';
import { isReserved, RESERVED_PREFIXES } from '../validate/object-key';
import { ARCHIVE_PREFIX } from '../releases/release';
import { listAll, type ObjectStore } from '../storage/object-store';
import type { StorageFigures, Tally } from './types';

const sum = (objects: readonly { size: number }[]): Tally => ({ count: objects.length, bytes: objects.reduce((total, o) => total + o.size, 0) });

export async function measureStorage(store: ObjectStore): Promise<StorageFigures> {
  const { objects } = await listRemote(store, (key) => !isReserved(key));
  const listed = await Promise.all(RESERVED_PREFIXES.map(async (prefix) => ({ prefix, tally: sum(await listAll(store, { prefix })) })));
  const archive = listed.find((l) => l.prefix === ARCHIVE_PREFIX)?.tally ?? { count: 0, bytes: 0 };
  const records = listed.filter((l) => l.prefix !== ARCHIVE_PREFIX)
    .reduce((total, l) => ({ count: total.count + l.tally.count, bytes: total.bytes + l.tally.bytes }), { count: 0, bytes: 0 });
  return { images: sum(objects), archive, records };
}
