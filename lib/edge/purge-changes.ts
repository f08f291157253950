/**
 * After a command changed public objects (sync, verify --repair, restore): their URLs, purged from the CDN
 * when a purge token is set, and printed either way. A failed purge never undoes the change: the report
 * keeps the URLs left in the cache, and `gulp purge --urls <that report>` purges exactly those.
 */
import { isReserved } from '../bucket/object-scope';
import { InterruptedError, PurgeFailedError } from '../errors';
import { publicUrl } from '../verify/public-check';
import { purgeCdn, type PurgeOutcome, type PurgeStop } from './purge-client';
import { planPurge, purgeMethod } from './purge-plan';
import type { PurgeSettings } from './purge-settings';

export type PurgeStatus = 'purged' | 'failed' | 'not-configured' | 'no-public-base' | 'no-cdn' | 'nothing-changed';

export interface PurgeReport {
  readonly status: PurgeStatus;
  /** Every changed public object, as a URL (or as a key, when no public base URL is known). */
  readonly changed: readonly string[];
  /** How the purge went: by URL, or by prefix above the threshold. */
  readonly mode?: PurgeOutcome['mode'];
  readonly requests?: number;
  readonly prefixes?: readonly string[];
  readonly purged?: number;
  /** URLs the CDN may still serve stale, with why: what `gulp purge --urls <report>` purges again. */
  readonly unpurged: readonly { readonly url: string; readonly reason: string }[];
  readonly seconds?: number;
  /** The purge was stopped (Ctrl-C) before it sent everything. */
  readonly stopped?: boolean;
}

/** The public keys a run wrote or deleted: the tool's records and archive are never served, so never purged. */
export function changedPublicKeys(done: { readonly written: readonly string[]; readonly deleted: readonly string[] } | undefined): string[] {
  if (!done) return [];
  return [...new Set([...done.written, ...done.deleted])].filter((key) => !isReserved(key)).sort();
}

export interface PurgeContext {
  readonly publicBase?: string;
  /** The embedded bucket: no CDN fronts it, so there is nothing to purge or to advise. */
  readonly local?: boolean;
  readonly settings?: PurgeSettings;
  readonly signal?: PurgeStop;
  /** Progress lines (stderr): what is being purged, and each wait for a retry. */
  readonly log?: (line: string) => void;
}

/** Purges what changed (URL by URL, or by prefix above the threshold); every URL ends purged or in `unpurged`. */
export async function purgeChanged(keys: readonly string[], context: PurgeContext): Promise<PurgeReport> {
  if (keys.length === 0) return { status: 'nothing-changed', changed: [], unpurged: [] };
  const { publicBase } = context;
  if (context.local) return { status: 'no-cdn', changed: publicBase ? keys.map((key) => publicUrl(publicBase, key)) : keys, unpurged: [] };
  // A purge token without R2_PUBLIC_DOMAIN is refused when the environment is read: here it is only ever "no URLs known".
  if (!publicBase) return { status: 'no-public-base', changed: keys, unpurged: [] };
  return purgeUrls(keys.map((key) => publicUrl(publicBase, key)), publicBase, context);
}

/** Purges these URLs (under `publicBase`): the purge after a change, and `gulp purge`. */
export async function purgeUrls(urls: readonly string[], publicBase: string, context: PurgeContext): Promise<PurgeReport> {
  if (urls.length === 0) return { status: 'nothing-changed', changed: [], unpurged: [] };
  if (!context.settings) return { status: 'not-configured', changed: urls, unpurged: [] };
  const { settings } = context;
  const plan = planPurge(urls, { ...settings, publicBase });
  const { log } = context;
  log?.(`CDN: purging ${urls.length} URL(s) in ${plan.requests.length} request(s)…`);
  const outcome = await purgeCdn(plan, settings, {
    signal: context.signal,
    onRetry: log && ((r) => log(`CDN: request ${r.request} of ${r.of}: ${r.reason}; retrying in ${(r.waitMs / 1000).toFixed(1)} s`)),
  });
  return {
    status: outcome.failed.length === 0 ? 'purged' : 'failed', changed: urls, mode: outcome.mode, requests: outcome.requests,
    prefixes: outcome.prefixes, purged: outcome.purged.length, unpurged: outcome.failed, seconds: Number(outcome.seconds.toFixed(3)),
    ...(context.signal?.aborted ? { stopped: true } : {}),
  };
}

const SHOWN = 20;

/** The lines a command prints about its changed URLs and their purge. */
export function formatPurge(report: PurgeReport): string[] {
  const n = report.changed.length;
  if (report.status === 'nothing-changed') return [];
  const list = (items: readonly string[]) => [...items.slice(0, SHOWN).map((u) => `  ${u}`), ...(items.length > SHOWN ? [`  … and ${items.length - SHOWN} more (all in the report)`] : [])];
  switch (report.status) {
    case 'no-cdn':
      return [`${n} public URL(s) changed (the embedded bucket has no CDN in front of it: nothing to purge; the list is in the report)`];
    case 'not-configured':
      return [`CDN: ${n} changed URL(s), not purged (set CLOUDFLARE_PURGE_TOKEN and CLOUDFLARE_ZONE_ID to purge them after each change):`, ...list(report.changed)];
    case 'no-public-base':
      return [`CDN: ${n} changed object(s); set R2_PUBLIC_DOMAIN to get their public URLs (and CLOUDFLARE_PURGE_TOKEN, CLOUDFLARE_ZONE_ID to purge them):`, ...list(report.changed)];
    case 'purged':
      return [`CDN: purged ${n} changed URL(s) ${purgeMethod(report.prefixes ?? [])} in ${report.requests} request(s), ${report.seconds?.toFixed(2)} s`];
    case 'failed':
      return [`CDN: purged ${report.purged} of ${n} changed URL(s); ${report.unpurged.length} may still be served stale:`,
        ...list(report.unpurged.map((u) => `${u.url}: ${u.reason}`))];
  }
}

/** What to do about URLs left unpurged: fix the setting the API refused first, then redo exactly those. */
export function redoAdvice(report: PurgeReport, redo: string): string {
  const reasons = report.unpurged.map((u) => u.reason).join('\n');
  if (/token rejected/.test(reasons)) return `check CLOUDFLARE_PURGE_TOKEN (Zone → Cache Purge → Purge on this zone), then run \`${redo}\``;
  if (/\b7003\b|zone/i.test(reasons)) return `check CLOUDFLARE_ZONE_ID (the zone of R2_PUBLIC_DOMAIN, from its Overview page), then run \`${redo}\``;
  return `run \`${redo}\` to purge what is left`;
}

/**
 * After the command's own outcome was reported and found good: a failed purge ends it with its own exit
 * status (the bucket change stands), naming how to purge the rest.
 */
export function throwIfUnpurged(report: PurgeReport | undefined, what: string, reportPath: string | undefined, env: string): void {
  if (!report || report.status !== 'failed') return;
  const redo = reportPath ? `gulp purge --env ${env} --urls ${reportPath}` : `gulp purge --env ${env} --release latest`;
  if (report.stopped) {
    throw new InterruptedError(`${what} is done; its CDN purge was stopped by Ctrl-C with ${report.unpurged.length} of ${report.changed.length} URL(s) left`, `run \`${redo}\` to purge them`);
  }
  throw new PurgeFailedError(`${what} is done, but the CDN purge failed for ${report.unpurged.length} of ${report.changed.length} URL(s): the CDN may serve them stale`,
    `nothing needs undoing: ${redoAdvice(report, redo)}`);
}
