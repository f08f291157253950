/**
 * Request paths to object keys, checked before anything touches the disk: the path is decoded once
 * (`%2e%2e`, `%2f` and the like become what they mean) and the key judged by the one key grammar.
 */
import { EXTENSION_OF } from '../images/config';
import { keyProblem } from '../validate/object-key';

export interface PathKey {
  /** The decoded key (the raw rest of the path when it cannot be decoded). */
  readonly key: string;
  /** Why the key cannot name a file under a folder (a `..` segment, a backslash, bad percent-encoding…); undefined when it can. */
  readonly problem?: string;
}

/** The key `rawPath` (percent-encoded, no query) names under `prefix`, e.g. `/` or `/<bucket>/`; undefined when it is not under it. */
export function keyOfPath(rawPath: string, prefix: string): PathKey | undefined {
  if (!rawPath.startsWith(prefix) || rawPath.length === prefix.length) return undefined;
  const rest = rawPath.slice(prefix.length);
  let key: string;
  try {
    key = decodeURIComponent(rest);
  } catch {
    return { key: rest, problem: 'its path is not valid percent-encoding' };
  }
  // keyProblem, not imageKeyProblem: the tool's own records (`_state/`, `_releases/`) are read through here too.
  const problem = keyProblem(key);
  return problem ? { key, problem } : { key };
}

const OUTPUT_EXTENSIONS = Object.values(EXTENSION_OF).map((ext) => `.${ext}`);

/** Whether a key is under album/ or artist/ and ends in an output format's extension (jpg, webp, avif). */
export function isUnderCollection(key: string): boolean {
  const parts = key.split('/');
  const name = (parts[parts.length - 1] as string).toLowerCase();
  return (parts[0] === 'album' || parts[0] === 'artist') && OUTPUT_EXTENSIONS.some((ext) => name.endsWith(ext));
}

/** Whether a key is shaped like a collection's image, `<album|artist>/<slug>/<name>.<jpg|webp|avif>`: the paths render on demand answers. */
export function isCollectionImage(key: string): boolean {
  return key.split('/').length === 3 && isUnderCollection(key);
}
