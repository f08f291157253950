/**
 * The one glob dialect of the tool (`--exclude`, and `publish` / `ignore` in assets.config.ts): picomatch,
 * matched against a whole bucket key (or a path under dist/, which is the same string). `*` stays within
 * one `/` segment, `**` crosses them, `{a,b}` and `[…]` as in a shell; dotfiles match like any name; case
 * counts (keys are case-sensitive). A glob is checked once, where it enters (a flag, the config file).
 */
import picomatch from 'picomatch';

const OPTIONS = { dot: true, strictBrackets: true } as const;
const MAX_LENGTH = 500;

/** Why `glob` cannot be used; undefined when it can. */
export function globProblem(glob: string): string | undefined {
  if (glob.length === 0) return 'is empty';
  if (glob.length > MAX_LENGTH) return `is longer than ${MAX_LENGTH} characters`;
  if (glob.startsWith('/')) return 'starts with / (keys have no leading slash: write album/**, not /album/**)';
  if (glob.split('/').includes('..')) return 'has a .. segment (globs match keys, which never climb)';
  // A negated exclude would exclude everything else: a list of globs only ever adds keys.
  if (glob.startsWith('!')) return 'starts with ! (negation is not supported: list the keys to match, not the ones to skip)';
  try {
    picomatch(glob, OPTIONS);
  } catch (error) {
    return `is not a valid glob: ${(error as Error).message}`;
  }
  return undefined;
}

/** Whether a key matches any of `globs` (none: matches nothing). Globs must have passed globProblem. */
export function globMatcher(globs: readonly string[]): (key: string) => boolean {
  if (globs.length === 0) return () => false;
  const match = picomatch([...globs], OPTIONS);
  return (key) => match(key);
}

/** One matcher per glob, for callers that must know which glob matched (e.g. which `publish` glob found no file). */
export function eachGlob(globs: readonly string[]): { readonly glob: string; readonly matches: (key: string) => boolean }[] {
  return globs.map((glob) => ({ glob, matches: picomatch(glob, OPTIONS) }));
}
