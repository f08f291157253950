/**
 * Command-line flags of every task, in one table: parsed and validated before any work starts,
 * and shown by `gulp --tasks`. A flag that no task on the command line takes is rejected.
 */
import { statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../lib/errors';
import { globProblem } from '../lib/util/globs';

export type FlagKind =
  | { kind: 'string' }
  | { kind: 'boolean' }
  | { kind: 'count'; min: number; max: number }
  | { kind: 'percent' }
  | { kind: 'regex' }
  | { kind: 'choice'; values: readonly string[] }
  | { kind: 'list'; values: readonly string[] }
  /** Repeatable (`--exclude a --exclude b`; never comma-split: `{a,b}` is one glob); each glob checked here. */
  | { kind: 'globs' };

export type FlagSpec = FlagKind & { description: string; default?: string; /** Placeholder in help, e.g. `dir`. */ arg?: string };
export type FlagTable = Readonly<Record<string, FlagSpec>>;
export type FlagValue = string | boolean | number | RegExp | string[] | undefined;
/** A rule between one task's flags (e.g. `--sample` needs `--deep` or `--public`); throws UsageError. */
export type FlagCheck = (values: Readonly<Record<string, FlagValue>>) => void;

/** The value one flag parses to, from its spec: string, boolean, count/percent → number, regex, a choice's union, a list's array. */
type ValueOf<S> = S extends { kind: 'boolean' } ? boolean
  : S extends { kind: 'count' | 'percent' } ? number
  : S extends { kind: 'regex' } ? RegExp
  : S extends { kind: 'choice'; values: readonly (infer V)[] } ? V
  : S extends { kind: 'list'; values: readonly (infer V)[] } ? V[]
  : S extends { kind: 'globs' } ? string[]
  : string;
/** Switches are always set (false when absent), globs too (none: []), and so is a flag with a default; others may be undefined. */
type AlwaysSet<S> = S extends { kind: 'boolean' } | { kind: 'globs' } | { default: string } ? true : false;
/** Where parsed flags keep the names given on the command line (a default fills a value, but was not given). */
export const GIVEN: unique symbol = Symbol('flags given on the command line');
/** Parsed flags: their values, and which of them the command line gave. */
export type ParsedFlags = Record<string, FlagValue> & { readonly [GIVEN]: ReadonlySet<string> };
/** A task's parsed flags, typed from its (const) table: tasks read them with no casts. */
export type FlagValues<T extends FlagTable> = { readonly [K in keyof T]: AlwaysSet<T[K]> extends true ? ValueOf<T[K]> : ValueOf<T[K]> | undefined }
  & { readonly [GIVEN]: ReadonlySet<keyof T & string> };

/** Whether `name` was on the command line, not filled in by its default (`--env` given, or left to default to development). */
export function wasGiven<N extends string>(flags: { readonly [GIVEN]: ReadonlySet<N> }, name: N): boolean {
  return flags[GIVEN].has(name);
}

// gulp-cli's own flags: tolerated, never ours (lib/shared/options/cli-options.js in gulp-cli).
const GULP_CLI_VALUED = new Set(['gulpfile', 'cwd', 'preload', 'tasks-depth', 'depth', 'f']);
const GULP_CLI_SWITCHES = new Set(['help', 'version', 'tasks', 'tasks-simple', 'tasks-json', 'compact-tasks',
  'sort-tasks', 'color', 'no-color', 'silent', 'continue', 'series', 'log-level', 'h', 'v', 'T', 'S']);
/** gulp-cli's -L is a counter: -L, -LL, -LLL. */
const isGulpCliFlag = (name: string) => GULP_CLI_VALUED.has(name) || GULP_CLI_SWITCHES.has(name) || /^L+$/.test(name);

type RawValue = string | true;
/** Every value each flag was given, in order (a repeated flag other than a list of globs keeps its last). */
interface RawArgs { flags: Map<string, RawValue[]>; positionals: string[] }

function splitArgs(argv: readonly string[], valued: ReadonlySet<string>): RawArgs {
  const flags = new Map<string, RawValue[]>();
  const positionals: string[] = [];
  const add = (name: string, value: RawValue) => flags.set(name, [...(flags.get(name) ?? []), value]);
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const match = /^--?([^=]+)(?:=(.*))?$/.exec(arg);
    if (!match || arg === '-' || arg === '--') { positionals.push(arg); continue; }
    const name = match[1] as string;
    if (match[2] !== undefined) { add(name, match[2]); continue; }
    const nextArg = argv[i + 1];
    const takesValue = GULP_CLI_VALUED.has(name) || valued.has(name);
    if (takesValue && nextArg !== undefined && !nextArg.startsWith('--')) { add(name, nextArg); i += 1; }
    else add(name, true);
  }
  return { flags, positionals };
}

/**
 * A folder flag that names a file, or a file flag that names a folder, is refused here, before any work,
 * rather than as an ENOTDIR or EISDIR deep in the run (or after it, for --reports).
 */
function checkPath(name: string, arg: string | undefined, raw: string): string {
  if (arg !== 'dir' && arg !== 'file') return raw;
  // Kernel file systems are no place for images, and Node's recursive mkdir spins for ever under /proc.
  if (/^\/(proc|sys|dev)(\/|$)/.test(resolve(raw))) throw new UsageError(`--${name} ${raw} is on a kernel file system (/proc, /sys, /dev): not a place for the tool's files`);
  let found: Stats | undefined;
  try {
    found = statSync(raw, { throwIfNoEntry: false });
  } catch (error) {
    throw new UsageError(`--${name} ${raw} cannot be a ${arg === 'dir' ? 'folder' : 'file'}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (arg === 'dir' && found && !found.isDirectory()) throw new UsageError(`--${name} ${raw} is a file, not a folder`);
  if (arg === 'file' && found?.isDirectory()) throw new UsageError(`--${name} ${raw} is a folder, not a file`);
  return raw;
}

function convert(name: string, spec: FlagSpec, raw: string | true): FlagValue {
  if (spec.kind === 'boolean') {
    if (raw === true || raw === 'true') return true;
    if (raw === 'false') return false;
    throw new UsageError(`--${name} is a switch and takes no value (got "${raw}")`);
  }
  if (raw === true) throw new UsageError(`--${name} needs a value: ${spec.description}`);
  switch (spec.kind) {
    case 'string': return checkPath(name, spec.arg, raw);
    case 'count': {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < spec.min || n > spec.max) {
        throw new UsageError(`--${name} must be a whole number from ${spec.min} to ${spec.max} (got "${raw}")`);
      }
      return n;
    }
    case 'percent': {
      const n = Number(String(raw).replace(/%$/, ''));
      if (!Number.isFinite(n) || n <= 0 || n > 100) throw new UsageError(`--${name} must be a percentage above 0 and at most 100 (got "${raw}")`);
      return n;
    }
    case 'regex':
      // Case-insensitive, as russ.fm's own scripts take --filter (`new RegExp(x, 'i')`).
      try { return new RegExp(raw, 'iu'); } catch (error) {
        throw new UsageError(`--${name} "${raw}" is not a valid regular expression: ${(error as Error).message}`);
      }
    case 'choice':
      if (!spec.values.includes(raw)) throw new UsageError(`--${name} must be one of ${spec.values.join(', ')} (got "${raw}")`);
      return raw;
    case 'list': {
      const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
      const bad = items.filter((item) => !spec.values.includes(item));
      if (items.length === 0 || bad.length > 0) {
        throw new UsageError(`--${name} takes a comma-separated list of ${spec.values.join(', ')} (got "${raw}")`);
      }
      return [...new Set(items)];
    }
    case 'globs': {
      const problem = globProblem(raw);
      if (problem) throw new UsageError(`--${name} "${raw}" ${problem}`, 'globs match whole keys, e.g. --exclude \'album/*/og-image.png\' (quote it so the shell leaves it alone)');
      return [raw];
    }
  }
}

function valuesOf(table: FlagTable, flags: ReadonlyMap<string, readonly RawValue[]>): Record<string, FlagValue> {
  const values: Record<string, FlagValue> = {};
  for (const [name, spec] of Object.entries(table)) {
    const given = flags.get(name);
    if (spec.kind === 'globs') {
      values[name] = [...new Set((given ?? []).flatMap((raw) => convert(name, spec, raw) as string[]))];
      continue;
    }
    const raw = given?.[given.length - 1] ?? spec.default;
    values[name] = raw === undefined ? (spec.kind === 'boolean' ? false : undefined) : convert(name, spec, raw);
  }
  return values;
}

/**
 * Parses the flags of `task` from argv. `tables` holds every task's flags; `expand` maps a composite
 * task (default) to the tasks it runs. Flags of other tasks on the same command line are allowed, and
 * checked too (values and `checks`), whichever task asks first: `gulp --sample 150` (build, sync,
 * verify) fails before build starts, not after sync.
 */
export function parseFlags(
  task: string, tables: Readonly<Record<string, FlagTable>>, expand: Readonly<Record<string, readonly string[]>>,
  argv: readonly string[] = process.argv.slice(2), checks: Readonly<Record<string, FlagCheck>> = {},
): ParsedFlags {
  const own = tables[task] ?? {};
  const valued = new Set(Object.values(tables).flatMap((t) => Object.entries(t).filter(([, s]) => s.kind !== 'boolean').map(([n]) => n)));
  const { flags, positionals } = splitArgs(argv, valued);
  const invoked = (positionals.length > 0 ? positionals : ['default']).flatMap((t) => [t, ...(expand[t] ?? [])]);
  const allowed = new Set(invoked.flatMap((t) => Object.keys(tables[t] ?? {})));
  for (const name of flags.keys()) {
    if (isGulpCliFlag(name) || allowed.has(name)) continue;
    const takes = Object.keys(own).map((n) => `--${n}`).join(' ');
    throw new UsageError(`unknown flag --${name} for \`gulp ${task}\``, `${task} takes: ${takes}; see \`gulp --tasks\``);
  }
  for (const other of new Set(invoked)) {
    const table = tables[other];
    if (table) checks[other]?.(valuesOf(table, flags));
  }
  const given = new Set([...flags.keys()].filter((name) => name in own));
  // Not enumerable: the values stay a plain record of flag → value for callers that list or compare them.
  return Object.defineProperty(valuesOf(own, flags), GIVEN, { value: given, enumerable: false }) as ParsedFlags;
}

/** `{ '--flag': 'description' }`, the shape gulp-cli prints under each task in `gulp --tasks`. */
export function describeFlags(table: FlagTable): Record<string, string> {
  return Object.fromEntries(Object.entries(table).map(([name, spec]) => {
    const placeholder: Record<FlagSpec['kind'], string> = {
      boolean: '', string: ` <${spec.arg ?? 'value'}>`, count: ' <n>', percent: ' <percent>', regex: ' <regex>', globs: ' <glob>',
      choice: 'values' in spec ? ` <${spec.values.join('|')}>` : '',
      list: 'values' in spec ? ` <${spec.values.join(',')}>` : '',
    };
    const value = placeholder[spec.kind];
    const fallback = spec.default !== undefined ? ` (default: ${spec.default})` : '';
    return [`--${name}${value}`, `${spec.description}${fallback}`];
  }));
}
