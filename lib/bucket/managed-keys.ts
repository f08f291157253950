/**
 * Which bucket keys are the tool's: the one matcher sync, verify (and its repair) and restore share.
 *
 * A key is *managed* when it is named as the tool names what it makes — `<album|artist>/<slug>/<slug>-<size>.<jpg|webp|avif>`
 * for any size of any preset or of the config —, when a `publish` glob of assets.config.ts names it, or
 * when the tool has recorded it (the state record, else the latest release). Everything else is
 * *unmanaged* and left alone: never deleted, never an extra, never a verify failure, only counted.
 * `--exclude` and the config's `ignore` globs put keys outside every run, on both sides (not uploaded,
 * not checked, not deleted). A key only an idle `publish` glob names (one that matched no file in dist/:
 * the step that writes those files did not run) is held the same way, rather than taken for stale.
 */
import type { AssetsConfig } from '../config/assets-config';
import { EXTENSION_OF } from '../images/config';
import { PRESETS } from '../images/presets';
import { readLatest, readRelease } from '../releases/release-store';
import type { ObjectStore } from '../storage/object-store';
import { globMatcher } from '../util/globs';
import { escapeRegExp } from '../util/escape-regexp';

/** What decides managedness, as the config and the command line give it (globs already validated). */
export interface KeyRules {
  /** Size names the tool can make: every preset's and the config's. */
  readonly sizes: readonly string[];
  /** `publish` globs: files under dist/ published as they are. */
  readonly publish: readonly string[];
  /** `ignore` globs of assets.config.ts. */
  readonly ignore: readonly string[];
  /** `--exclude` globs of this run. */
  readonly exclude: readonly string[];
}

const PRESET_SIZES = Object.values(PRESETS).flatMap((preset) => preset.sizes.map((size) => size.name));

/** The rules of a loaded config and this run's --exclude globs. */
export function keyRules(config: Pick<AssetsConfig, 'image' | 'publish' | 'ignore'>, exclude: readonly string[] = []): KeyRules {
  const sizes = [...new Set([...PRESET_SIZES, ...config.image.sizes.map((size) => size.name)])];
  return { sizes, publish: config.publish, ignore: config.ignore, exclude };
}

/** Every preset's sizes, nothing published, nothing ignored: what library callers get when they name no rules. */
export const DEFAULT_KEY_RULES: KeyRules = { sizes: PRESET_SIZES, publish: [], ignore: [], exclude: [] };

/** Why a key is left out of a run or left alone; `managed` keys are the run's. */
export type KeyClass = 'image' | 'published' | 'excluded' | 'held' | 'other';

export interface ManagedKeys {
  /** How the rules alone classify a key (`other`: managed only if the tool recorded it). */
  classify(key: string): KeyClass;
  /** The key takes part in this run (not excluded, ignored or held). */
  inRun(key: string): boolean;
}

/**
 * The matcher for a run. `extraSizes`: sizes of the build's manifest (a config that has since changed);
 * `idle`: publish globs that matched no file in dist/ this run.
 */
export function managedKeys(rules: KeyRules, options: { extraSizes?: readonly string[]; idle?: readonly string[] } = {}): ManagedKeys {
  const sizes = [...new Set([...rules.sizes, ...(options.extraSizes ?? [])])].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const formats = Object.values(EXTENSION_OF).map(escapeRegExp);
  // The slug twice (a backreference): `album/x/y-medium.jpg` is not a name the tool gives.
  const image = new RegExp(`^(?:album|artist)/([^/]+)/\\1-(?:${sizes.join('|')})\\.(?:${formats.join('|')})$`, 'u');
  const excluded = globMatcher([...rules.exclude, ...rules.ignore]);
  const idleSet = new Set(options.idle ?? []);
  const published = globMatcher(rules.publish.filter((g) => !idleSet.has(g)));
  const held = globMatcher([...idleSet]);
  const classify = (key: string): KeyClass => {
    if (excluded(key)) return 'excluded';
    if (image.test(key)) return 'image';
    if (published(key)) return 'published';
    return held(key) ? 'held' : 'other';
  };
  return { classify, inRun: (key) => { const c = classify(key); return c !== 'excluded' && c !== 'held'; } };
}

/** The unmanaged objects a run saw, by why; `examples`: a few keys of the `other` kind, for reports. */
export interface UnmanagedTally {
  readonly total: number;
  readonly excluded: number;
  readonly held: number;
  readonly other: number;
  readonly examples: readonly string[];
}

export const NO_UNMANAGED: UnmanagedTally = { total: 0, excluded: 0, held: 0, other: 0, examples: [] };

/**
 * Pure: the listing split into the run's objects and a tally of the rest. `recorded` says whether the tool
 * recorded a key the rules do not name; `undefined` means not known yet (see splitManaged).
 */
export function sortListing<T extends { readonly key: string }>(
  listed: readonly T[], keys: ManagedKeys, recorded: (key: string) => boolean | undefined,
): { managed: T[]; undecided: T[]; unmanaged: UnmanagedTally } {
  const managed: T[] = [];
  const undecided: T[] = [];
  const counts = { excluded: 0, held: 0, other: 0 };
  const examples: string[] = [];
  for (const object of listed) {
    const kind = keys.classify(object.key);
    if (kind === 'image' || kind === 'published') { managed.push(object); continue; }
    if (kind !== 'other') { counts[kind] += 1; continue; }
    const known = recorded(object.key);
    if (known === undefined) undecided.push(object);
    else if (known) managed.push(object);
    else {
      counts.other += 1;
      if (examples.length < 5) examples.push(object.key);
    }
  }
  return { managed, undecided, unmanaged: { total: counts.excluded + counts.held + counts.other, ...counts, examples } };
}

/** The keys the latest release records; none when there is no readable one (its keys are then left alone). */
async function latestReleaseKeys(store: ObjectStore): Promise<ReadonlySet<string>> {
  try {
    const { pointer } = await readLatest(store);
    return new Set(pointer ? Object.keys((await readRelease(store, pointer.id)).objects) : []);
  } catch {
    return new Set();
  }
}

/**
 * The listing split into the run's objects and the unmanaged tally. A key the rules do not name is the
 * tool's if `recorded` holds it (the state record; a restore adds its target release); only when some
 * key is still undecided is the latest release read (its pointer and record: two GETs), so a bucket
 * holding nothing foreign costs nothing more.
 */
export async function splitManaged<T extends { readonly key: string }>(
  store: ObjectStore, listed: readonly T[], keys: ManagedKeys, recorded: { has(key: string): boolean },
): Promise<{ managed: T[]; unmanaged: UnmanagedTally; gets: number }> {
  const first = sortListing(listed, keys, (key) => (recorded.has(key) ? true : undefined));
  if (first.undecided.length === 0) return { ...first, gets: 0 };
  const released = await latestReleaseKeys(store);
  const second = sortListing(first.undecided, keys, (key) => released.has(key));
  const unmanaged = {
    total: first.unmanaged.total + second.unmanaged.total, excluded: first.unmanaged.excluded, held: first.unmanaged.held,
    other: second.unmanaged.other, examples: second.unmanaged.examples,
  };
  return { managed: [...first.managed, ...second.managed], unmanaged, gets: 2 };
}
