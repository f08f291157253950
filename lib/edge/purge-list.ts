/**
 * `gulp purge --urls <file>`: the URLs to purge, from a run report of ours (what its purge left) or a text
 * file (one URL per line, `#` comments). Validated here, where they enter: each must be an http(s) URL under
 * the environment's public base, so a hand-made list can neither purge another site nor smuggle a header.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { UsageError } from '../errors';
import { hasUnprintable, printable } from '../util/printable';
import { readBounded, TooLargeError } from '../util/read-bounded';

/** 64 MB holds 30,000 URLs hundreds of times over; a larger file is not a list of ours. */
const MAX_LIST_BYTES = 64 * 1024 * 1024;
const MAX_URL_LENGTH = 4096;

/** What is wrong with a listed URL, and whether the line may be quoted: only an http(s) URL without credentials is. */
type Problem = { readonly problem: string; readonly quote: boolean };

function underBase(url: string, publicBase: string): Problem | undefined {
  if (url.length > MAX_URL_LENGTH) return { problem: `is longer than ${MAX_URL_LENGTH} characters`, quote: false };
  if (hasUnprintable(url) || /\s/.test(url)) return { problem: 'contains white space or a control character', quote: false };
  let parsed: URL;
  try { parsed = new URL(url); } catch { return { problem: 'is not a URL', quote: false }; }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { problem: 'is not an http(s) URL', quote: false };
  if (parsed.username || parsed.password) return { problem: 'carries a user name or password', quote: false };
  // `img/../private` or `img/%2e%2e/other` is under the base as a string, not as the URL the API purges.
  if (parsed.href !== url) return { problem: `is not in its normal form (as a URL it is ${printable(parsed.href)})`, quote: true };
  const base = new URL(`${publicBase.replace(/\/+$/, '')}/`).href;
  if (!url.startsWith(base) || url === base) return { problem: `is not under the public base URL ${publicBase} (R2_PUBLIC_DOMAIN)`, quote: true };
  return undefined;
}

function notAFile(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isDirectory()) return 'a directory';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return info.isSocket() ? 'a socket' : 'something other than a file';
}

/**
 * The URLs a report of ours names to purge: what its purge left (`purge.unpurged`, or all of
 * `purge.changed` when it ran without a purge token), and what a verify --public found stale in the CDN
 * (`problems` of kind public-stale); undefined when the JSON is neither.
 */
function fromReport(value: unknown): unknown[] | undefined {
  const report = value as { purge?: { status?: unknown; changed?: unknown; unpurged?: unknown }; problems?: unknown; after?: { problems?: unknown } } | null;
  const changed = report?.purge?.status === 'not-configured' && Array.isArray(report.purge.changed)
    ? report.purge.changed.map((url: unknown) => ({ url })) : undefined;
  const unpurged = changed ?? (Array.isArray(report?.purge?.unpurged) ? report.purge.unpurged : undefined);
  const problems = [report?.problems, report?.after?.problems].filter(Array.isArray).flat() as { kind?: unknown; url?: unknown }[];
  const stale = problems.filter((p) => p?.kind === 'public-stale');
  if (!unpurged && !Array.isArray(report?.problems)) return undefined;
  return [...(unpurged ?? []), ...stale].map((entry) => (entry as { url?: unknown } | null)?.url);
}

export async function readPurgeList(path: string, publicBase: string): Promise<string[]> {
  let text: string;
  try {
    // A FIFO would block the read for ever, a terminal or pipe (/dev/stdin) fails with ESPIPE: a list is a file.
    const kind = notAFile(await stat(path));
    if (kind) throw new UsageError(`--urls ${printable(path)} is ${kind}, not a regular file`, 'give a report from reports/ or a text file with one URL per line');
    text = (await readBounded(path, MAX_LIST_BYTES)).toString('utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
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
    const found = typeof value === 'string' ? underBase(value, publicBase) : { problem: 'is not a URL string', quote: false };
    if (found) {
      // A line that is not a URL may be anything, a secret of a .env file included: it is never shown.
      const what = found.quote ? `${where}: "${printable(String(value)).slice(0, 200)}" ${found.problem}` : `${where} ${found.problem} (not shown)`;
      throw new UsageError(`--urls ${printable(path)}, ${what}`, 'fix or remove that line: nothing was purged');
    }
    urls.push(value as string);
  }
  return [...new Set(urls)];
}
