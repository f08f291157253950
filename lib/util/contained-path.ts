/**
 * Every file the tool writes or deletes is checked to stay under its root here, whatever checks ran
 * before: a key that passed the grammar still goes through this (defence in depth, and one place to look).
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { AssetsError } from '../errors';
import { keyProblem, printableKey } from '../validate/object-key';

export class OutsideRootError extends AssetsError {
  constructor(root: string, key: string, reason: string) {
    super('E_OUTSIDE_ROOT', `refused ${printableKey(key)}: ${reason}, so it could name a file outside ${root}`,
      { hint: 'the key came from a record, manifest or file name that is damaged or hostile: nothing was written or deleted for it' });
  }
}

/** The file `key` names under `root`; throws OutsideRootError when the key is not a clean relative path under it. */
export function pathUnder(root: string, key: string): string {
  const base = resolve(root);
  const problem = keyProblem(key);
  if (problem) throw new OutsideRootError(base, key, problem);
  const path = resolve(base, ...key.split('/'));
  const rel = relative(base, path);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) throw new OutsideRootError(base, key, 'it leads outside the folder');
  return path;
}

/** Whether `inner` is `outer` or inside it (resolved paths; for refusing a --dest inside --src and the like). */
export function isSameOrInside(inner: string, outer: string): boolean {
  const rel = relative(resolve(outer), resolve(inner));
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
