/**
 * Every file the tool writes or deletes is checked to stay under its root here, whatever checks ran
 * before: a key that passed the grammar still goes through this (defence in depth, and one place to look).
 */
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { AssetsError } from '../errors';
import { keyProblem, printableKey } from '../validate/object-key';

export class OutsideRootError extends AssetsError {
  constructor(root: string, key: string, reason: string) {
    super('E_OUTSIDE_ROOT', `refused ${printableKey(key)}: ${reason}, so it could name a file outside ${root}`,
      { hint: 'the key came from a record, manifest or file name that is damaged or hostile: nothing was written or deleted for it' });
  }
}

/**
 * The file `key` names under `root`; throws OutsideRootError when the key is not a clean relative path
 * under it, or when, on disk, the path (or the nearest part of it that exists) resolves outside the
 * root: a symlinked `dist/album` would otherwise take writes, deletes and reads elsewhere.
 */
export function pathUnder(root: string, key: string): string {
  const base = resolve(root);
  const problem = keyProblem(key);
  if (problem) throw new OutsideRootError(base, key, problem);
  const path = resolve(base, ...key.split('/'));
  if (!isSameOrInside(path, base) || path === base) throw new OutsideRootError(base, key, 'it leads outside the folder');
  const realBase = realOrSelf(base);
  for (let at = path; at.length > base.length; at = dirname(at)) {
    const real = realOrUndefined(at);
    if (real === undefined) continue; // not there yet: its nearest existing parent decides
    if (!isSameOrInside(real, realBase)) throw new OutsideRootError(base, key, `${at} is a link to ${real}`);
    break;
  }
  return path;
}

function realOrUndefined(path: string): string | undefined {
  try {
    return realpathSync.native(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'ELOOP') return '(a symlink loop)';
    throw error;
  }
}

const realOrSelf = (path: string): string => realOrUndefined(path) ?? path;

/** Whether `inner` is `outer` or inside it (resolved paths; for refusing a --dest inside --src and the like). */
export function isSameOrInside(inner: string, outer: string): boolean {
  const rel = relative(resolve(outer), resolve(inner));
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
