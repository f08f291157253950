/**
 * Which object keys a sync (or verify) run covers: --type, --size, --filter and --changed-files narrow
 * both the build's side and the bucket's side, so a filtered run never deletes outside its scope.
 */
import { posix } from 'node:path';
import { UsageError } from '../errors';
import { isReserved } from '../validate/object-key';

export { isReserved, RESERVED_PREFIXES } from '../validate/object-key';

export interface ObjectScope {
  readonly type?: 'album' | 'artist';
  readonly size?: string;
  readonly filter?: RegExp;
  /** `<type>/<slug>` folders affected by a change list. */
  readonly slugs?: ReadonlySet<string>;
}

/** The size name in a key such as `album/x/x-medium.jpg`, given the known size names. */
export function sizeOfKey(key: string, sizes: readonly string[]): string | undefined {
  const stem = posix.basename(key, posix.extname(key));
  return sizes.filter((s) => stem.endsWith(`-${s}`)).sort((a, b) => b.length - a.length)[0];
}

/** Whether a scope covers every image (no --type, --size, --filter or --changed-files). */
export function coversWholeBucket(scope: ObjectScope): boolean {
  return !scope.type && !scope.size && !scope.filter && !scope.slugs;
}

/** The scope as the flags that set it (`--type album --filter …`), for messages; undefined for the whole bucket. */
export function describeScope(scope: ObjectScope): string | undefined {
  const parts = [
    scope.type && `--type ${scope.type}`, scope.size && `--size ${scope.size}`,
    scope.filter && `--filter ${scope.filter.source}`, scope.slugs && `--changed-files (${scope.slugs.size} folder(s))`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/**
 * A --type/--size/--filter that matches nothing in the build or the bucket is a typo more often than not:
 * refused, rather than a green run that checked nothing. (--changed-files alone may touch no image.)
 */
export function refuseEmptyScope(scope: ObjectScope, desired: number, remote: number): void {
  if (desired > 0 || remote > 0 || (!scope.type && !scope.size && !scope.filter)) return;
  throw new UsageError(`nothing in the build or the bucket matches ${describeScope(scope) ?? 'this scope'}`,
    'check the --type, --size and --filter values (--filter matches object keys such as album/<slug>/<slug>-medium.jpg)');
}

export function keyInScope(key: string, scope: ObjectScope, sizes: readonly string[]): boolean {
  if (isReserved(key)) return false;
  if (scope.type && !key.startsWith(`${scope.type}/`)) return false;
  if (scope.size && sizeOfKey(key, sizes) !== scope.size) return false;
  if (scope.filter && !scope.filter.test(key)) return false;
  if (scope.slugs && !scope.slugs.has(key.split('/').slice(0, 2).join('/'))) return false;
  return true;
}
