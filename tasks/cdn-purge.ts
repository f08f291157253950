/** The purge every changing command runs after its work: what changed in public, purged when configured, printed either way. */
import type { Environment } from '../lib/config/environment';
import type { PurgeReport } from '../lib/edge/purge-changes';
import { PurgeFailedError } from '../lib/errors';
import { runTask } from './outside-domain';

export interface ChangedKeys { readonly written: readonly string[]; readonly deleted: readonly string[] }

/** undefined for a run that changed nothing public (a dry run, a no-op). */
export async function purgeAfterChange(env: Environment, publicBase: string | undefined, done: ChangedKeys | undefined): Promise<PurgeReport | undefined> {
  const edge = require('../lib/edge/purge-changes') as typeof import('../lib/edge/purge-changes');
  const keys = edge.changedPublicKeys(done);
  if (keys.length === 0) return undefined;
  // Its own Ctrl-C: the command's watcher is gone by now, and a purge must stop cleanly, its report written.
  const { watchInterrupt } = require('../lib/util/interrupt') as typeof import('../lib/util/interrupt');
  const interrupt = watchInterrupt();
  try {
    return await edge.purgeChanged(keys, { publicBase, settings: env.purge, local: env.store === undefined, log: purgeLog, signal: interrupt });
  } finally {
    interrupt.dispose();
  }
}

/** Purge progress goes to stderr (stdout may be a --json report). */
export function purgeLog(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The command's own text, then the purge's lines. */
export function withPurgeLines(human: string, purge: PurgeReport | undefined): string {
  if (!purge) return human;
  const { formatPurge } = require('../lib/edge/purge-changes') as typeof import('../lib/edge/purge-changes');
  return [human, ...formatPurge(purge)].join('\n');
}

let deferring = false;
let deferred: PurgeFailedError | undefined;

/** In the default pipeline, a failed purge after sync must not skip verify: it is reported after verify, by throwDeferredPurge. */
export function deferPurgeFailures(): void {
  deferring = true;
}

/** A command that did its job but whose purge failed: exit 3 (130 if stopped by Ctrl-C), saying how to purge the rest. */
export function failIfUnpurged(purge: PurgeReport | undefined, what: string, reportPath: string | undefined, env: Environment): void {
  const { throwIfUnpurged } = require('../lib/edge/purge-changes') as typeof import('../lib/edge/purge-changes');
  try {
    throwIfUnpurged(purge, what, reportPath, env.name);
  } catch (error) {
    if (!deferring || !(error instanceof PurgeFailedError)) throw error;
    deferred = error;
    process.stderr.write(`note: ${error.message}; verify runs first, then the run ends with exit 3\n`);
  }
}

/** The pipeline's last step: the purge failure sync deferred, if any (verify passed, so the bucket is right). */
export function throwDeferredPurge(): Promise<void> {
  return runTask(async () => { if (deferred) throw deferred; });
}
throwDeferredPurge.displayName = 'purge-outcome';

/** A dry run's text, then what its real twin would purge: the plan's writes and deletes of public keys. */
export function withPurgePreview(human: string, env: Environment, publicBase: string | undefined, actions: readonly { kind: string; key: string }[]): string {
  const { changedPublicKeys } = require('../lib/edge/purge-changes') as typeof import('../lib/edge/purge-changes');
  const { formatPurgePreview } = require('../lib/edge/purge-report') as typeof import('../lib/edge/purge-report');
  const written = actions.filter((a) => a.kind !== 'archive' && a.kind !== 'delete').map((a) => a.key);
  const deleted = actions.filter((a) => a.kind === 'delete').map((a) => a.key);
  const line = formatPurgePreview(changedPublicKeys({ written, deleted }), { publicBase, settings: env.purge, local: env.store === undefined });
  return line ? `${human}\n${line}` : human;
}
