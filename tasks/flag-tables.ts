/** Every task's flags. One table so a command line naming several tasks is checked as a whole. */
import { OUTPUT_FORMATS } from '../lib/images/config';
import { describeFlags, parseFlags, type FlagTable, type FlagValue } from './flags';

const scope = {
  filter: { kind: 'regex', description: 'only sources whose path (e.g. album/slug/slug-hi-res.jpg) matches this regular expression' },
  type: { kind: 'choice', values: ['album', 'artist'], description: 'only album covers or only artist images' },
} as const satisfies FlagTable;

export const FLAG_TABLES = {
  build: {
    src: { kind: 'string', arg: 'dir', default: 'public', description: 'source folder (album/<slug>/<slug>-hi-res.jpg, artist/…)' },
    dest: { kind: 'string', arg: 'dir', default: 'dist', description: 'output folder; the manifest is <dest>/images.json' },
    'cache-dir': { kind: 'string', arg: 'dir', default: '.cache/images', description: 'where the source index (size+mtime+inode → hash) lives' },
    concurrency: { kind: 'count', min: 1, max: 64, description: 'sources decoded at once (default: 2 per core, 2–8)' },
    'no-cache': { kind: 'boolean', description: 'ignore the cache and re-render every variant' },
    formats: { kind: 'list', values: OUTPUT_FORMATS, default: 'jpeg', description: 'output formats, comma-separated (webp and avif are opt-in)' },
    ...scope,
    'keep-going': { kind: 'boolean', description: 'exit 0 even if some sources failed (they are still listed)' },
    json: { kind: 'boolean', description: 'print the summary as JSON on stdout (add --silent to hide gulp\'s own lines)' },
  },
} as const satisfies Record<string, FlagTable>;

/** What composite tasks run, so their parts' flags are accepted. */
export const COMPOSITES: Record<string, readonly string[]> = { default: ['build'] };

export type TaskName = keyof typeof FLAG_TABLES;

export function flagsFor(task: TaskName): Record<string, FlagValue> {
  return parseFlags(task, FLAG_TABLES, COMPOSITES);
}

export function flagHelp(task: TaskName): Record<string, string> {
  return describeFlags(FLAG_TABLES[task]);
}
