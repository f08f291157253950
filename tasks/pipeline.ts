import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { series } from 'gulp';
import { MANIFEST_FILE } from '../lib/manifest/types';
import { build } from './build';
import { parseMaxDelete, resolveTarget } from './bucket-session';
import { compositeFlagHelp, flagsFor } from './flag-tables';
import { runTask } from './outside-domain';
import { UsageError } from '../lib/errors';
import { sync } from './sync';
import { verify } from './verify';
import { deferPurgeFailures, throwDeferredPurge } from './cdn-purge';
import { startPipelineHandoff } from './pipeline-handoff';

/**
 * Every flag and setting of build, sync and verify, checked before build starts: a mistake in a flag
 * only verify reads (`--sample 150`) or in the bucket's settings must not cost a build and a sync first.
 */
function checkSettings(): Promise<void> {
  return runTask(async () => {
    if (flagsFor('build').shard !== undefined) {
      throw new UsageError('--shard builds one part of the collection, which the sync after it would refuse to publish alone',
        'run `gulp build --shard i/n --dest <folder>` for each part (a matrix job each), put the folders into one, then `gulp sync --dest <it>`');
    }
    const syncFlags = flagsFor('sync');
    parseMaxDelete(syncFlags['max-delete'], syncFlags['allow-mass-delete']);
    const verifyFlags = flagsFor('verify');
    parseMaxDelete(verifyFlags['max-delete'], verifyFlags['allow-mass-delete']);
    resolveTarget(syncFlags);
    deferPurgeFailures();
    startPipelineHandoff();
  });
}
checkSettings.displayName = 'check-settings';

/**
 * `gulp --dry-run`: build wrote nothing, so with no earlier build in --dest sync has nothing to plan
 * against; say so instead of failing with "run `gulp build` first".
 */
function syncUnlessNothingBuilt(): Promise<void> {
  const flags = flagsFor('sync');
  if (flags['dry-run'] && !existsSync(join(resolve(flags.dest), MANIFEST_FILE))) {
    process.stdout.write(`sync skipped: --dry-run, and no earlier build in ${String(flags.dest)} to plan against (the build above wrote nothing)\n`);
    return Promise.resolve();
  }
  return sync();
}
syncUnlessNothingBuilt.displayName = 'sync';

/** `gulp` (default): build, sync, then verify; `--dry-run` plans all three and changes nothing. */
export const pipelineTask = series(checkSettings, build, syncUnlessNothingBuilt, verify, throwDeferredPurge);
pipelineTask.description = 'The whole pipeline on the embedded local bucket (or --env): build, sync, then verify (flags of all three; checked before build starts)';
pipelineTask.flags = compositeFlagHelp('default');
