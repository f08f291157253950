/**
 * The image manifest a release was built from, kept in the archive by content (`_archive/<sha256>`),
 * so `gulp restore --pull` can give back a lost dist/ together with the build's cache: the manifest
 * holds each source's hash and each variant's cache key, so the next build re-encodes nothing.
 */
import { AssetsError } from '../errors';
import { withoutRemoteMarks } from '../manifest/remote-marks';
import type { ImageManifest } from '../manifest/types';
import { readObjectText } from '../storage/json-object';
import type { ObjectStore } from '../storage/object-store';
import { digestsOf, sha256Of } from '../util/hash';
import { ARCHIVE_PREFIX, type ManifestRef } from './release';
import { parseManifest } from '../validate/records';

/** Stores the manifest unless the previous release already recorded the same one; returns its reference. */
export async function storeReleaseManifest(store: ObjectStore, manifest: ImageManifest, previous?: ManifestRef): Promise<ManifestRef> {
  // The remote build cache's marks describe one dist/, not the collection: a build that rendered everything
  // and one that took it all from the bucket archive the same manifest.
  const body = Buffer.from(JSON.stringify(withoutRemoteMarks(manifest)));
  const { md5, sha256 } = digestsOf(body);
  const ref = { sha256, size: body.length };
  if (previous?.sha256 === sha256) return ref;
  await store.put({
    key: `${ARCHIVE_PREFIX}${sha256}`, body, md5, contentType: 'application/json', cacheControl: 'private, no-store',
    metadata: { 'archived-from': 'images.json' },
  });
  return ref;
}

export async function readReleaseManifest(store: ObjectStore, ref: ManifestRef): Promise<ImageManifest> {
  const key = `${ARCHIVE_PREFIX}${ref.sha256}`;
  const read = await readObjectText(store, key);
  if (!read) {
    throw new AssetsError('E_NO_MANIFEST', `the release's image manifest (${key}) is not in the bucket`,
      { hint: 'the images can still be pulled; `gulp build` will then re-encode them to rebuild the manifest' });
  }
  const found = sha256Of(Buffer.from(read.text));
  if (found !== ref.sha256) throw new AssetsError('E_CORRUPT', `the release's image manifest ${key} is corrupt (SHA-256 ${found})`);
  return parseManifest(read.text, key, 'the images can still be pulled; `gulp build` will then re-encode them to rebuild the manifest');
}
