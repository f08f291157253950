/** The purge every changing command runs after its work: what changed in public, purged when configured, printed either way. */
import type { Environment } from '../lib/config/environment';
import type { PurgeReport } from '../lib/edge/purge-changes';

export interface ChangedKeys { readonly written: readonly string[]; readonly deleted: readonly string[] }

/** undefined for a run that changed nothing public (a dry run, a no-op). */
export async function purgeAfterChange(env: Environment, publicBase: string | undefined, done: ChangedKeys | undefined): Promise<PurgeReport | undefined> {
  const edge = require('../lib/edge/purge-changes') as typeof import('../lib/edge/purge-changes');
  const keys = edge.changedPublicKeys(done);
  if (keys.length === 0) return undefined;
  return edge.purgeChanged(keys, { publicBase, settings: env.purge, local: env.store === undefined, log: purgeLog });
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

/** A command that did its job but whose purge failed: exit 3, saying how to purge the rest. */
export function failIfUnpurged(purge: PurgeReport | undefined, what: string, reportPath: string | undefined, env: Environment): void {
  const { throwIfUnpurged } = require('../lib/edge/purge-changes') as typeof import('../lib/edge/purge-changes');
  throwIfUnpurged(purge, what, reportPath, env.name);
}

/** A dry run's text, then what its real twin would purge: the plan's writes and deletes of public keys. */
export function withPurgePreview(human: string, env: Environment, publicBase: string | undefined, actions: readonly { kind: string; key: string }[]): string {
  const { changedPublicKeys } = require('../lib/edge/purge-changes') as typeof import('../lib/edge/purge-changes');
  const { formatPurgePreview } = require('../lib/edge/purge-report') as typeof import('../lib/edge/purge-report');
  const written = actions.filter((a) => a.kind !== 'archive' && a.kind !== 'delete').map((a) => a.key);
  const deleted = actions.filter((a) => a.kind === 'delete').map((a) => a.key);
  const line = formatPurgePreview(changedPublicKeys({ written, deleted }), { publicBase, settings: env.purge, local: env.store === undefined });
  return line ? `${human}\n${line}` : human;
}
