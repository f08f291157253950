/**
 * The one grammar for object keys that reach a path or an image's place: bucket listings, release
 * records, image manifests, the state record and source file names are checked against it where they
 * enter. A key is `/`-separated segments, in NFC, each segment non-empty and neither `.` nor `..`, with
 * no backslash (a path separator on Windows, and a `..\` trick anywhere), no control character, no
 * leading `/`, at most 1024 bytes (S3's limit). An image key also stays out of the tool's own prefixes.
 */
import { ARCHIVE_PREFIX, RELEASES_PREFIX } from '../releases/release';
import { hasUnprintable, printable } from '../util/printable';

export const STATE_PREFIX = '_state/';
/** The run history (lib/history). */
export const HISTORY_PREFIX = '_history/';
/** Keys under these prefixes belong to the tool itself (state, releases, archive, run history): never synced or deleted. */
export const RESERVED_PREFIXES = [STATE_PREFIX, RELEASES_PREFIX, ARCHIVE_PREFIX, HISTORY_PREFIX] as const;
const KEY_MAX_BYTES = 1024;

export function isReserved(key: string): boolean {
  return RESERVED_PREFIXES.some((prefix) => key.startsWith(prefix));
}

/** Why `key` cannot name a file under a folder; undefined when it can. */
export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'it is empty';
  if (Buffer.byteLength(key) > KEY_MAX_BYTES) return `it is longer than ${KEY_MAX_BYTES} bytes`;
  if (hasUnprintable(key)) return 'it contains a control character (or a line separator or bidirectional mark)';
  if (key.includes('\\')) return 'it contains a backslash';
  if (key.startsWith('/')) return 'it starts with /';
  if (key.normalize('NFC') !== key) return 'it is not NFC';
  const segments = key.split('/');
  if (segments.some((s) => s === '')) return 'it has an empty segment (// or a trailing /)';
  if (segments.some((s) => s === '.' || s === '..')) return 'it has a . or .. segment';
  return undefined;
}

/** Why `key` cannot be an image's key; undefined when it can. */
export function imageKeyProblem(key: string): string | undefined {
  const problem = keyProblem(key);
  if (problem) return problem;
  const reserved = RESERVED_PREFIXES.find((prefix) => key.startsWith(prefix));
  return reserved && `it is under the tool's own prefix ${reserved}`;
}

export const isImageKey = (key: string): boolean => imageKeyProblem(key) === undefined;

/** A key as messages print it: control characters as `?`, and cut short (a hostile key may be long or odd). */
export function printableKey(key: string): string {
  const shown = printable(key);
  return JSON.stringify(shown.length > 200 ? `${shown.slice(0, 200)}…` : shown);
}
