/**
 * The latest release's changes as a contact sheet: one cover per album or artist that changed (its
 * `medium` when that changed, else the first changed image), new ones from the bucket, replaced ones
 * before (from the archive, where the overwritten bytes were preserved) → after, deleted ones from the
 * archive. Thumbnails are made here so the page needs nothing but itself.
 */
import { messageOf } from '../errors';
import { archiveKeys, type Release, type ReleaseObject } from '../releases/release';
import { latestId, readLatest, readRelease } from '../releases/release-store';
import type { ObjectStore } from '../storage/object-store';
import { readObject } from '../storage/read-object';
import type { ChangeKind, ContactSheet, ContactSheetItem, Thumbnail } from './dashboard-view';

/** Covers are small; anything larger is not read for a thumbnail. */
const MAX_IMAGE_BYTES = 64 * 1024 * 1024;
export const SHEET_LIMIT = 24;

export type MakeThumbnail = (bytes: Buffer) => Promise<string>;

interface Change { readonly key: string; readonly change: ChangeKind }

/** One change per `<type>/<slug>` folder, its `-medium` image preferred; in key order. Pure. */
export function pickChanges(release: Pick<Release, 'changes'>): Change[] {
  const all: Change[] = [
    ...release.changes.created.map((key) => ({ key, change: 'new' as const })),
    ...release.changes.updated.map((key) => ({ key, change: 'replaced' as const })),
    ...release.changes.deleted.map((key) => ({ key, change: 'deleted' as const })),
  ].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const byFolder = new Map<string, Change>();
  for (const c of all) {
    const folder = c.key.split('/').slice(0, 2).join('/');
    const chosen = byFolder.get(folder);
    if (!chosen || (!/-medium\.[a-z]+$/.test(chosen.key) && /-medium\.[a-z]+$/.test(c.key))) byFolder.set(folder, c);
  }
  return [...byFolder.values()];
}

async function bytesOf(store: ObjectStore, keys: readonly string[], size: number): Promise<Buffer> {
  let last: unknown;
  for (const key of keys) {
    try {
      return await readObject(store, key, async (body, head) => {
        if (head.size !== size || head.size > MAX_IMAGE_BYTES) throw new Error(`${key} is ${head.size} bytes, not the ${size} the release records`);
        const chunks: Uint8Array[] = [];
        for await (const chunk of body) chunks.push(chunk);
        return Buffer.concat(chunks);
      });
    } catch (error) { last = error; }
  }
  throw last ?? new Error('no copy of these bytes is kept');
}

async function thumbnail(store: ObjectStore, keys: readonly string[], o: ReleaseObject | undefined, make: MakeThumbnail): Promise<Thumbnail> {
  if (!o) return { missing: 'not recorded by the previous release' };
  try {
    return { src: await make(await bytesOf(store, keys, o.size)) };
  } catch (error) {
    return { missing: messageOf(error).slice(0, 200) };
  }
}

/** The sheet of the latest release; undefined when the bucket has none. */
export async function contactSheet(store: ObjectStore, make: MakeThumbnail, limit = SHEET_LIMIT): Promise<ContactSheet | undefined> {
  const id = await readLatest(store).then(latestId, () => undefined).catch(() => undefined);
  if (!id) return undefined;
  // A latest release that cannot be read leaves the page without its sheet, not without the rest.
  const release = await readRelease(store, id).catch(() => undefined);
  if (!release) return undefined;
  const parent = release.parent ? await readRelease(store, release.parent).catch(() => undefined) : undefined;
  const changes = pickChanges(release);
  const items: ContactSheetItem[] = [];
  for (const { key, change } of changes.slice(0, limit)) {
    const now = release.objects[key];
    const was = parent?.objects[key];
    items.push({
      key, change,
      ...(change !== 'new' ? { before: await thumbnail(store, was ? archiveKeys(was) : [], was, make) } : {}),
      ...(change !== 'deleted' ? { after: await thumbnail(store, now ? [key, ...archiveKeys(now)] : [], now, make) } : {}),
    });
  }
  return { release: release.id, parent: release.parent, time: release.createdAt, items, more: Math.max(0, changes.length - limit) };
}
