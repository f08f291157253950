/**
 * Which releases are history: the latest release and its ancestors by their recorded parent links,
 * never by key names (a record named to sort first is not thereby the newest). Prune keeps these.
 */
import { AssetsError } from '../errors';
import type { ObjectStore } from '../storage/object-store';
import { releaseTime, type Release } from './release';
import { isGoneRelease, readRelease, readReleasesOrProblems } from './release-store';

/**
 * The latest release and its ancestors, newest first, at most `count`. The walk ends at a parent whose
 * record is gone (pruned before); a damaged record, or a parent not older than its child, stops it
 * with an error: what is kept is never decided on a guess.
 */
export async function releaseChain(store: ObjectStore, latestId: string, count: number): Promise<Release[]> {
  const chain: Release[] = [await readRelease(store, latestId)];
  for (let parent = chain[0]?.parent; parent && chain.length < count;) {
    const child = chain[chain.length - 1] as Release;
    if (!(releaseTime(parent).getTime() < releaseTime(child.id).getTime()) || chain.some((r) => r.id === parent)) {
      throw new AssetsError('E_BAD_RECORD', `release ${child.id} names ${parent} as its parent, which is not older: the history is damaged`,
        { hint: 'nothing was deleted; `gulp releases` lists the records' });
    }
    const record = await readRelease(store, parent).catch((error: unknown) => {
      if (isGoneRelease(error)) return undefined;
      throw error;
    });
    if (!record) break;
    chain.push(record);
    parent = record.parent;
  }
  return chain;
}

/**
 * Records newer than the latest release (runs that stopped before publishing them): never history, never
 * deleted by a prune. Those that can be read are returned so that the copies they refer to are kept too.
 */
export async function newerThanLatest(store: ObjectStore, ids: readonly string[], latestId: string): Promise<{ readable: Release[]; ids: string[] }> {
  const since = releaseTime(latestId).getTime();
  const newer = ids.filter((id) => id !== latestId && releaseTime(id).getTime() > since);
  const read = await readReleasesOrProblems(store, newer);
  return { readable: read.filter((r): r is Release => !('problem' in r)), ids: newer };
}
