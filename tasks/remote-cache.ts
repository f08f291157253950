/**
 * `gulp build --env <env>`: the bucket's latest release read as the remote build cache (three GETs), or,
 * when it cannot be read, a warning and a build from the local cache alone (as Turborepo and Nx go on
 * when their remote cache is down): the build is still right, only slower. Settings that are wrong fail
 * at once, as for any bucket command.
 */
import { messageOf } from '../lib/errors';
import type { ImageManifest } from '../lib/manifest/types';
import { printable } from '../lib/util/printable';
import { within } from '../lib/util/within';
import { resolveTarget, type BucketFlags } from './bucket-session';
import type { GIVEN } from './flags';

/** A remote cache read is three small GETs: past this, the store is not answering. */
const REMOTE_CACHE_DEADLINE_MS = 60_000;

export async function remoteBuildCache(flags: Pick<BucketFlags, 'env' | typeof GIVEN>): Promise<{ release: string; manifest: ImageManifest } | undefined> {
  const env = resolveTarget(flags);
  const { openStore } = require('../lib/bucket/open-store') as typeof import('../lib/bucket/open-store');
  const { readRemoteBuildCache } = require('../lib/releases/remote-build-cache') as typeof import('../lib/releases/remote-build-cache');
  const say = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const opened = await openStore(env, { maxAttempts: 3 });
    try {
      const cache = await within(REMOTE_CACHE_DEADLINE_MS, `reading the remote build cache of --env ${env.name}`, readRemoteBuildCache(opened.store));
      if ('none' in cache) {
        say(`note: no remote build cache in --env ${env.name}: ${cache.none}; building from the local cache alone`);
        return undefined;
      }
      return cache;
    } finally {
      await opened.close();
    }
  } catch (error) {
    say(`warning: the remote build cache of --env ${env.name} could not be read (${printable(messageOf(error))}); `
      + 'building from the local cache alone: sources it does not hold are rendered');
    return undefined;
  }
}
