/**
 * --changed-files: the list russ.fm's deploy writes — `git diff --name-only <before> <sha>` (paths such
 * as `public/album/<slug>/<slug>-hi-res.jpg`, and every other file the push touched), or for targets
 * named by hand one `public/<type>/<slug>/manual` line each — mapped to the `<type>/<slug>` folders it
 * touches. A deleted source's path names its folder like any other; paths that are not under an
 * album or artist folder are ignored.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors';

const ESCAPES: Readonly<Record<string, number>> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/**
 * A path as git prints it: one with bytes outside printable ASCII (an accented slug) or a quote comes
 * C-quoted, each such byte in octal (`"public/album/caf\303\251/…"`, core.quotePath).
 */
export function unquoteGitPath(line: string): string {
  if (line.length < 2 || !line.startsWith('"') || !line.endsWith('"')) return line;
  const body = line.slice(1, -1);
  const pieces: Buffer[] = [];
  let last = 0;
  for (const match of body.matchAll(/\\([0-7]{3}|[abtnvfr"\\])/g)) {
    const escape = match[1] as string;
    pieces.push(Buffer.from(body.slice(last, match.index)), Buffer.of(escape.length === 3 ? parseInt(escape, 8) & 0xff : (ESCAPES[escape] as number)));
    last = match.index + match[0].length;
  }
  pieces.push(Buffer.from(body.slice(last)));
  return Buffer.concat(pieces).toString('utf8');
}

/** The `<type>/<slug>` folders a change list's text names (LF or CRLF lines; blank lines ignored). */
export function slugsInChangeList(text: string): Set<string> {
  const slugs = new Set<string>();
  for (const raw of text.split(/\r?\n|\r/)) {
    const parts = unquoteGitPath(raw.trim()).normalize('NFC').split('/').filter(Boolean);
    const at = parts.findIndex((p) => p === 'album' || p === 'artist');
    const slug = parts[at + 1];
    // A folder and something in it: `album/<slug>/<file>`, `manual` included; `.`/`..` never name a folder.
    if (at >= 0 && parts.length >= at + 3 && slug !== '.' && slug !== '..') slugs.add(`${parts[at]}/${slug}`);
  }
  return slugs;
}

/** Reads a --changed-files list: see slugsInChangeList. */
export async function slugsFromChangeList(path: string): Promise<Set<string>> {
  let text: string;
  try { text = await readFile(path, 'utf8'); } catch (error) {
    throw new ConfigError(`cannot read --changed-files ${path}: ${(error as Error).message}`,
      'write it with `git diff --name-only <before> <sha> > changed_files.txt` (or one public/<type>/<slug>/manual line per target)');
  }
  return slugsInChangeList(text);
}
