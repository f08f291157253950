/**
 * `gulp purge --urls <file>`: the URLs to purge, from a run report of ours (what its purge left) or a text
 * file (one URL per line, `#` comments). Validated here, where they enter: each must be an http(s) URL under
 * the environment's public base, so a hand-made list can neither purge another site nor smuggle a header.
 */
import { UsageError } from '../errors';
import { hasUnprintable, printable } from '../util/printable';
import { readBounded, TooLargeError } from '../util/read-bounded';

/** 64 MB holds 30,000 URLs hundreds of times over; a larger file is not a list of ours. */
const MAX_LIST_BYTES = 64 * 1024 * 1024;
const MAX_URL_LENGTH = 4096;

function underBase(url: string, publicBase: string): string | undefined {
  if (url.length > MAX_URL_LENGTH) return `is longer than ${MAX_URL_LENGTH} characters`;
  if (hasUnprintable(url) || /\s/.test(url)) return 'contains white space or a control character';
  let parsed: URL;
  try { parsed = new URL(url); } catch { return 'is not a URL'; }
  if (parsed.username || parsed.password) return 'carries a user name or password';
  if (!url.startsWith(`${publicBase.replace(/\/+$/, '')}/`)) return `is not under the public base URL ${publicBase} (R2_PUBLIC_DOMAIN)`;
  return undefined;
}

/**
 * The URLs a report of ours names to purge: what its purge left (`purge.unpurged`), and what a verify
 * --public found stale in the CDN (`problems` of kind public-stale); undefined when the JSON is neither.
 */
function fromReport(value: unknown): unknown[] | undefined {
  const report = value as { purge?: { unpurged?: unknown }; problems?: unknown; after?: { problems?: unknown } } | null;
  const unpurged = Array.isArray(report?.purge?.unpurged) ? report.purge.unpurged : undefined;
  const problems = [report?.problems, report?.after?.problems].filter(Array.isArray).flat() as { kind?: unknown; url?: unknown }[];
  const stale = problems.filter((p) => p?.kind === 'public-stale');
  if (!unpurged && !Array.isArray(report?.problems)) return undefined;
  return [...(unpurged ?? []), ...stale].map((entry) => (entry as { url?: unknown } | null)?.url);
}

export async function readPurgeList(path: string, publicBase: string): Promise<string[]> {
  let text: string;
  try {
    text = (await readBounded(path, MAX_LIST_BYTES)).toString('utf8');
  } catch (error) {
    if (error instanceof TooLargeError) throw new UsageError(`--urls ${printable(path)}: ${error.message}: not a list of URLs`);
    throw new UsageError(`--urls ${printable(path)}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      'give a report from reports/ (sync, verify, restore, purge) or a text file with one URL per line');
  }
  let entries: { where: string; value: unknown }[];
  if (/^\s*\{/.test(text)) {
    let listed: unknown[] | undefined;
    try { listed = fromReport(JSON.parse(text)); } catch { listed = undefined; }
    if (!listed) throw new UsageError(`--urls ${printable(path)}: a JSON file, but not a run report of ours (no purge section, no verify problems)`, 'give a report from reports/ (sync, verify, restore, purge) or a text file with one URL per line');
    entries = listed.map((value, i) => ({ where: `entry ${i + 1} of its URLs to purge`, value }));
  } else {
    entries = text.split(/\r?\n/).map((line, i) => ({ where: `line ${i + 1}`, value: line.trim() }))
      .filter((e) => e.value !== '' && !String(e.value).startsWith('#'));
  }
  const urls: string[] = [];
  for (const { where, value } of entries) {
    const problem = typeof value === 'string' ? underBase(value, publicBase) : 'is not a URL string';
    if (problem) throw new UsageError(`--urls ${printable(path)}, ${where}: "${printable(String(value)).slice(0, 200)}" ${problem}`, 'fix or remove that line: nothing was purged');
    urls.push(value as string);
  }
  return [...new Set(urls)];
}
