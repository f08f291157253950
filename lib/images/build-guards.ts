/** Refusals the build makes before it changes anything: the folders, and a build that would empty dist. */
import { UsageError } from '../errors';
import { isSameOrInside } from '../util/contained-path';
import type { Scope } from './scan-sources';

/**
 * `--dest public`, `--src` = `--dest`, or one inside the other: the build (or a pull, `what`) would
 * overwrite or delete the sources, and later builds take its outputs for sources.
 */
export function checkFolders(src: string, dest: string, what = 'the build writes and deletes files in --dest'): void {
  const problem = isSameOrInside(dest, src) && isSameOrInside(src, dest) ? 'is the same folder as'
    : isSameOrInside(dest, src) ? 'is inside' : isSameOrInside(src, dest) ? 'contains' : undefined;
  if (problem) {
    throw new UsageError(`--dest ${dest} ${problem} --src ${src}: ${what}, so it would write among, or delete, its own sources`,
      'use separate folders, e.g. `gulp build --src public --dest dist`');
  }
}

function describeScope(scope: Scope): string {
  const parts = [scope.type && `--type ${scope.type}`, scope.filter && `--filter ${String(scope.filter)}`].filter(Boolean);
  return parts.length > 0 ? ` matching ${parts.join(' ')}` : '';
}

/**
 * No source found (or none in scope): usually a wrong --src, an unmounted folder or a typo in --filter.
 * Refused unless asked for with --allow-empty: when the previous build had some, it would remove every
 * output of that scope; when it had none, it would report success having built nothing.
 */
export function refuseEmptying(found: number, removedSources: number, outputs: number, src: string, scope: Scope, allowEmpty: boolean): void {
  if (found > 0 || allowEmpty) return;
  if (removedSources === 0) {
    // Nothing built before either: not destructive, but a wrong --src would otherwise "succeed" with nothing.
    throw new UsageError(`no sources found in ${src}${describeScope(scope)} (looked for album/<slug>/<slug>-hi-res.jpg and artist/<slug>/…): nothing to build`,
      'check --src (and --type/--filter); to build nothing on purpose, run again with --allow-empty');
  }
  throw new UsageError(`no sources found in ${src}${describeScope(scope)}: this build would remove all ${outputs} outputs `
    + `of the ${removedSources} source(s) built before, and nothing was changed`,
  'check --src (and --type/--filter); to empty dist on purpose, run again with --allow-empty');
}
