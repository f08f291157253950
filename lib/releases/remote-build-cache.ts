/**
 * The remote build cache: the bucket's latest release, with its archived image manifest (source SHA-256
 * + recipe → each output's MD5 and SHA-256), read by `gulp build --env` so a fresh runner with no dist/
 * and no local cache renders and uploads nothing for an unchanged collection. Three GETs: the pointer,
 * the release, the manifest.
 */
import { markRemote } from '../manifest/remote-marks';
import type { ImageManifest } from '../manifest/types';
import type { ObjectStore } from '../storage/object-store';
import { readReleaseManifest } from './release-manifest';
import { latestId, readLatest, readRelease } from './release-store';

export type RemoteBuildCache =
  | { readonly release: string; readonly manifest: ImageManifest; readonly outputs: number }
  | { readonly none: string };

export async function readRemoteBuildCache(store: ObjectStore): Promise<RemoteBuildCache> {
  const id = latestId(await readLatest(store));
  if (!id) return { none: 'the bucket has no release yet (its first sync makes one)' };
  const release = await readRelease(store, id);
  if (!release.manifest) return { none: `its latest release ${id} recorded no image manifest (a sync by an older version, or one given no manifest)` };
  const manifest = markRemote(await readReleaseManifest(store, release.manifest), release);
  let outputs = 0;
  for (const source of Object.values(manifest.sources)) outputs += source.variants.length;
  return { release: id, manifest, outputs };
}
