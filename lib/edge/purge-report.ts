/** What `gulp purge` prints and records: the plan (dry run), a JSON report, a GitHub step summary. */
import { writeRunReport } from '../util/run-report';
import type { PurgeReport } from './purge-changes';
import { publicUrl } from '../verify/public-check';
import { planPurge, prefixesOf, purgeMethod } from './purge-plan';
import type { PurgeSettings } from './purge-settings';

export interface PurgeRunReport {
  readonly environment: string;
  /** What the URLs came from: `release <id>` or the --urls file. */
  readonly source: string;
  readonly purge: PurgeReport;
  readonly ok: boolean;
}

/** The purge a dry run would send: how many URLs, in how many requests, by URL or by prefix. */
export function formatPurgePlan(urls: readonly string[], publicBase: string, settings: PurgeSettings | undefined, source: string): string {
  if (urls.length === 0) return `nothing to purge: ${source} lists no public URL`;
  const lines: string[] = [];
  if (settings) {
    const plan = planPurge(urls, { ...settings, publicBase });
    const prefixes = prefixesOf(plan);
    lines.push(`purge plan (${source}): ${urls.length} URL(s) in ${plan.requests.length} request(s), `
      + (prefixes.length > 0 ? `by prefix (over ${settings.purgeByPrefixAbove} URLs): ${prefixes.join(', ')}` : `URL by URL (${settings.urlsPerRequest} per request)`));
  } else {
    lines.push(`purge plan (${source}): ${urls.length} URL(s); CLOUDFLARE_PURGE_TOKEN and CLOUDFLARE_ZONE_ID are not set, so a real run would refuse`);
  }
  lines.push(...urls.slice(0, 20).map((u) => `  ${u}`));
  if (urls.length > 20) lines.push(`  … and ${urls.length - 20} more`);
  lines.push('dry run: nothing was sent');
  return lines.join('\n');
}

/** A dry run's line about the purge its real twin would send (none when nothing public would change). */
export function formatPurgePreview(keys: readonly string[], context: { publicBase?: string; settings?: PurgeSettings; local: boolean }): string | undefined {
  if (keys.length === 0) return undefined;
  const n = keys.length;
  if (context.local) return `CDN: ${n} public URL(s) would change (the embedded bucket has no CDN: nothing to purge)`;
  if (!context.publicBase) return `CDN: ${n} public object(s) would change; set R2_PUBLIC_DOMAIN (and the purge settings) to purge them`;
  if (!context.settings) return `CDN: ${n} public URL(s) would change, not purged (CLOUDFLARE_PURGE_TOKEN and CLOUDFLARE_ZONE_ID are not set)`;
  const { publicBase, settings } = context;
  const urls = keys.map((key) => publicUrl(publicBase, key));
  const plan = planPurge(urls, { ...settings, publicBase });
  return `CDN: ${n} changed URL(s) would be purged in ${plan.requests.length} request(s), ${purgeMethod(prefixesOf(plan))}`;
}

export function writePurgeReport(report: PurgeRunReport, dir: string | undefined, secrets: readonly string[]): Promise<string | undefined> {
  const p = report.purge;
  return writeRunReport('purge', report, { dir, secrets, stepSummary: [
    `### CDN purge (${report.environment}, ${report.source}) ${report.ok ? '✅' : '❌'}`, '',
    '| URLs | purged | left | requests | mode |', '|---|---|---|---|---|',
    `| ${p.changed.length} | ${p.purged ?? 0} | ${p.unpurged.length} | ${p.requests ?? 0} | ${p.mode ?? '–'} |`, '',
  ].join('\n') });
}
