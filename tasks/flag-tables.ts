/** Every task's flags. One table so a command line naming several tasks is checked as a whole. */
import { OUTPUT_FORMATS } from '../lib/images/config';
import { checkSizeFlag, sizeChoices } from './size-flag';
import { UsageError } from '../lib/errors';
import { parseShard } from '../lib/images/shard';
import { describeFlags, parseFlags, type FlagCheck, type FlagTable, type FlagValue, type FlagValues } from './flags';

const scope = {
  filter: { kind: 'regex', description: 'only sources whose path (e.g. album/slug/slug-hi-res.jpg) matches this regular expression (case-insensitive)' },
  type: { kind: 'choice', values: ['album', 'artist'], description: 'only album covers or only artist images' },
} as const satisfies FlagTable;

/** lib/config/environment.ts's ENVIRONMENTS, written out: that module loads the S3 SDK, which `gulp --tasks` never pays for. */
const ENVIRONMENT_NAMES = ['development', 'staging', 'production', 'backup'] as const;

const bucket = {
  env: { kind: 'choice', values: ENVIRONMENT_NAMES, default: 'development', description: 'target: development (the embedded local bucket unless S3_ENDPOINT is set), staging, production or backup (the second store gulp mirror fills; its settings are BACKUP_-prefixed); settings from the environment, then .env.<env>, then .env; must be given in CI when R2 credentials are set' },
} as const satisfies FlagTable;

const deletes = {
  'max-delete': { kind: 'string', arg: 'n|n%', default: '1000,10%', description: 'most objects one run may delete: a count, a percentage of the bucket, or both (comma)' },
} as const satisfies FlagTable;

const massDelete = {
  'allow-mass-delete': { kind: 'boolean', description: 'with --delete: allow deletes that are most of the bucket (or of the --type/--filter scope), or that the build has nothing in scope for; --max-delete still caps them' },
} as const satisfies FlagTable;

const objectScope = {
  ...scope,
  filter: { kind: 'regex', description: 'only object keys (e.g. album/slug/slug-medium.jpg) matching this regular expression (case-insensitive)' },
  size: { kind: 'string', arg: 'name', description: `only one size: ${sizeChoices()}` },
} as const satisfies FlagTable;

const exclude = {
  exclude: { kind: 'globs', description: 'leave keys matching this glob alone: not uploaded, checked or deleted, only counted as unmanaged (repeatable; picomatch, matched against the whole key, e.g. \'album/*/og-image.png\'; adds to `ignore` in assets.config.ts)' },
} as const satisfies FlagTable;

const reports = {
  reports: { kind: 'string', arg: 'dir', description: 'folder for the JSON report (default: $REPORTS_DIR, else reports/); the newest 50 reports of each task are kept there, older ones deleted' },
} as const satisfies FlagTable;

const historyDir = {
  reports: { kind: 'string', arg: 'dir', description: 'the reports folder whose history/ holds the local run history (the embedded bucket\'s, and builds waiting for a sync), and where the dashboard goes (default: $REPORTS_DIR, else reports/)' },
} as const satisfies FlagTable;

export const FLAG_TABLES = {
  build: {
    src: { kind: 'string', arg: 'dir', default: 'public', description: 'source folder (album/<slug>/<slug>-hi-res.jpg, artist/…)' },
    dest: { kind: 'string', arg: 'dir', default: 'dist', description: 'output folder; the manifest is <dest>/images.json' },
    'cache-dir': { kind: 'string', arg: 'dir', default: '.cache/images', description: 'the build cache: renders by cache key (a wiped dist is restored from them), manifest copies, the source index' },
    concurrency: { kind: 'count', min: 1, max: 64, description: 'sources in flight at once (default: 4 per core, 4–16)' },
    'no-cache': { kind: 'boolean', description: 'ignore the cache (local and remote) and re-render every variant' },
    env: { kind: 'choice', values: ENVIRONMENT_NAMES, description: 'read that environment\'s latest release as a remote build cache (3 GETs): sources whose hash and recipe match are not rendered, their outputs marked remote in the manifest (in the bucket, not in dist); without it the build is offline. In `gulp` (build, sync, verify) also the target of sync and verify (default there: development)' },
    formats: { kind: 'list', values: OUTPUT_FORMATS, description: 'output formats for every collection, comma-separated (default: what assets.config.ts says; webp and avif are opt-in)' },
    ...scope,
    shard: { kind: 'string', arg: 'i/n', description: 'render only part i of n of the sources (a stable split by slug hash, for n parallel jobs) and write images.shard-i-of-n.json instead of images.json; sync and verify read the n shard manifests of a folder together' },
    'keep-going': { kind: 'boolean', description: 'exit 0 even if some sources failed (they are still listed)' },
    'dry-run': { kind: 'boolean', description: 'print what would be built and removed, and write nothing (no dist, no cache, no manifest)' },
    'allow-empty': { kind: 'boolean', description: 'let a build that finds no sources (in scope) remove every output it built before' },
    json: { kind: 'boolean', description: 'print the summary as JSON on stdout (add --silent to hide gulp\'s own lines)' },
  },
  sync: {
    ...bucket,
    dest: { kind: 'string', arg: 'dir', default: 'dist', description: 'the built folder to publish (with its images.json)' },
    'dry-run': { kind: 'boolean', description: 'print the plan (counts, bytes, requests by R2 class, cost) and change nothing' },
    delete: { kind: 'boolean', description: 'delete objects in the bucket that the build no longer has (after all uploads, only if none failed)' },
    ...deletes,
    ...massDelete,
    concurrency: { kind: 'count', min: 1, max: 256, description: 'requests in flight (default 16; halves on 429/503)' },
    ...objectScope,
    'changed-files': { kind: 'string', arg: 'file', description: 'only the albums/artists named in this list of paths (from `git diff --name-only`; `public/<type>/<slug>/manual` names one by hand)' },
    force: { kind: 'boolean', description: 'send every object in scope again, even those the bucket already holds (what is overwritten is archived first, as for any update)' },
    ...exclude,
    json: { kind: 'boolean', description: 'print the report as JSON on stdout' },
    ...reports,
  },
  verify: {
    ...bucket,
    dest: { kind: 'string', arg: 'dir', default: 'dist', description: 'the built folder to check against (its images.json); --repair uploads from it' },
    manifest: { kind: 'string', arg: 'file', description: 'check against this image manifest instead of <dest>/images.json (no local build needed)' },
    release: { kind: 'string', arg: 'id|previous|latest', description: 'check the bucket against this recorded release instead of the build (no local build needed; --repair not allowed)' },
    deep: { kind: 'boolean', description: 'also read objects back and compare their SHA-256 (catches what an ETag cannot)' },
    public: { kind: 'boolean', description: 'also fetch objects through the public URL (R2_PUBLIC_DOMAIN; the embedded bucket\'s URL in development)' },
    sample: { kind: 'percent', description: '--deep/--public read only this share: a slice that rotates daily (all of it in ⌈100/p⌉ days) plus a random fifth of p' },
    repair: { kind: 'boolean', description: 'fix what was found (upload missing/corrupt from dist/, copy to fix headers; what is overwritten is archived first, and the result recorded as a release), then verify again' },
    delete: { kind: 'boolean', description: 'with --repair: also delete extra objects (same delete cap as sync)' },
    ...deletes,
    ...massDelete,
    'dry-run': { kind: 'boolean', description: 'with --repair: print the repair plan and change nothing' },
    concurrency: { kind: 'count', min: 1, max: 256, description: 'requests in flight for HEADs, reads and repairs (default 16)' },
    ...objectScope,
    ...exclude,
    json: { kind: 'boolean', description: 'print the report as JSON on stdout' },
    ...reports,
  },
  releases: {
    ...bucket,
    limit: { kind: 'count', min: 1, max: 10_000, default: '20', description: 'how many of the newest releases to show' },
    'move-history': { kind: 'boolean', description: 'with R2_ARCHIVE_BUCKET set: move the history kept in the images\' bucket (_releases/, _archive/, _state/, _history/) to the archive bucket by server-side copies checked by ETag, deleting the originals only once every copy is verified (plan first)' },
    'dry-run': { kind: 'boolean', description: 'with --move-history: print the move plan and change nothing' },
    yes: { kind: 'boolean', description: 'with --move-history: apply without asking (needed when not on a terminal)' },
    json: { kind: 'boolean', description: 'print the list as JSON on stdout' },
  },
  prune: {
    ...bucket,
    keep: { kind: 'count', min: 1, max: 100_000, description: 'keep the newest n releases (the latest always); delete the older release records and every archived copy no kept release needs' },
    'dry-run': { kind: 'boolean', description: 'print the plan (what is kept, what is deleted, bytes freed) and change nothing' },
    yes: { kind: 'boolean', description: 'apply without asking (needed when not on a terminal)' },
    // A count only: --keep already says which share of the history goes, and a prune deletes most of it by design.
    'max-delete': { ...deletes['max-delete'], default: '10000', description: 'most release records and archived copies one prune may delete: a count, a percentage of them, or both (comma)' },
    concurrency: { kind: 'count', min: 1, max: 256, description: 'requests in flight (default 16)' },
    json: { kind: 'boolean', description: 'print the report as JSON on stdout' },
    ...reports,
  },
  restore: {
    ...bucket,
    release: { kind: 'string', arg: 'id|previous|latest', description: 'the release to roll the bucket back (or forward) to; `previous` = the latest release\'s parent. Without it (and without --at): rebuild dist/ from the sources and repair the bucket to match' },
    at: { kind: 'string', arg: 'ISO time', description: 'roll back to the state at this time: the release that was the latest then (on a bucket with native versioning, the object versions current then)' },
    pull: { kind: 'boolean', description: 'download a release (--release, default latest) into --dest, checking each file\'s SHA-256 as it lands, and write its images.json: a lost dist/ back without re-encoding' },
    src: { kind: 'string', arg: 'dir', default: 'public', description: 'without --release: the sources to rebuild from' },
    dest: { kind: 'string', arg: 'dir', default: 'dist', description: 'without --release/--at: where the rebuild goes (its images.json is what the bucket must match); with --pull: where the release is downloaded' },
    'cache-dir': { kind: 'string', arg: 'dir', default: '.cache/images', description: 'without --release: the build\'s cache dir (renders, source index)' },
    force: { kind: 'boolean', description: 'without --release: re-upload every object, not only missing, corrupt and stale ones' },
    'allow-empty': { kind: 'boolean', description: 'without --release: let a rebuild that finds no sources remove every output it built before' },
    delete: { kind: 'boolean', description: 'without --release: also delete objects the rebuild does not have (under --max-delete; shown first, then applied only with --yes off a terminal)' },
    'dry-run': { kind: 'boolean', description: 'print the plan (copies, deletes, requests) and change nothing' },
    yes: { kind: 'boolean', description: 'apply without asking (needed when not on a terminal)' },
    ...deletes,
    ...massDelete,
    exclude: { ...exclude.exclude, description: 'never delete keys matching this glob, nor count them as extras (repeatable; adds to `ignore` in assets.config.ts); a release is still put back whole, and a rebuild leaves them out as sync does' },
    concurrency: { kind: 'count', min: 1, max: 256, description: 'requests in flight (default 16)' },
    json: { kind: 'boolean', description: 'print the report as JSON on stdout' },
    ...reports,
  },
  mirror: {
    env: { ...bucket.env, default: 'production', description: 'the source: the store whose latest release is copied (development, the embedded bucket, works too); its settings as for every bucket command' },
    to: { kind: 'choice', values: ENVIRONMENT_NAMES, description: 'the target (required): backup (its settings are BACKUP_-prefixed: BACKUP_S3_ENDPOINT or BACKUP_R2_ACCOUNT_ID, BACKUP_R2_BUCKET_NAME, …), or, coming back from an outage, the primary (--env backup --to production); one of --env and --to is backup' },
    'dry-run': { kind: 'boolean', description: 'print the plan (copies, re-headers, deletes, requests) and change nothing' },
    ...deletes,
    'allow-mass-delete': { kind: 'boolean', description: 'allow deleting most of the target\'s objects (the release no longer has them), or all of them when the release is empty; --max-delete still caps them' },
    concurrency: { kind: 'count', min: 1, max: 256, description: 'requests in flight (default 16; halves on 429/503)' },
    json: { kind: 'boolean', description: 'print the report as JSON on stdout' },
    ...reports,
  },
  purge: {
    ...bucket,
    release: { kind: 'string', arg: 'id|previous|latest', description: 'purge the public URLs this recorded release changed (created, updated, re-headered, deleted): redo the purge of the sync that made it' },
    urls: { kind: 'string', arg: 'file', description: 'purge the URLs in this file: a run report of ours (sync, verify --repair, restore, purge: the URLs its purge left) or a text file, one URL per line' },
    'dry-run': { kind: 'boolean', description: 'print the purge plan (URLs, requests, by URL or by prefix) and send nothing' },
    json: { kind: 'boolean', description: 'print the report as JSON on stdout' },
    ...reports,
  },
  report: {
    ...bucket,
    out: { kind: 'string', arg: 'file', description: 'where to write the HTML dashboard (default: <reports>/dashboard-<env>.html); for a remote environment a copy is also kept beside the records (_history/dashboard-<env>.html, private)' },
    json: { kind: 'boolean', description: 'print the report (alerts, cost, where the page went) as JSON on stdout' },
    ...historyDir,
  },
  cost: {
    ...bucket,
    json: { kind: 'boolean', description: 'print the cost model as JSON on stdout' },
    ...historyDir,
  },
  setup: {
    ...bucket,
    'dry-run': { kind: 'boolean', description: 'print what would be applied (CORS) and run the checks that write nothing (the credentials probe only lists and reads); change nothing' },
    json: { kind: 'boolean', description: 'print the report as JSON on stdout' },
    ...reports,
  },
  serve: {
    port: { kind: 'count', min: 0, max: 65_535, description: 'port of the embedded bucket (default 4568, or any free port when that one is taken; 0: any free port)' },
    src: { kind: 'string', arg: 'dir', default: 'public', description: 'the sources render on demand reads (album/<slug>/<slug>-hi-res.jpg, artist/…)' },
    cors: { kind: 'string', arg: 'origins', default: 'http://localhost:5173,http://127.0.0.1:5173', description: 'origins allowed to read images cross-origin, comma-separated (* for any): the app\'s dev server' },
    'no-render': { kind: 'boolean', description: 'do not render missing sizes from --src on demand: a missing object is a 404, as on R2' },
  },
} as const satisfies Record<string, FlagTable>;

/** What composite tasks run, so their parts' flags are accepted. */
export const COMPOSITES: Record<string, readonly string[]> = { default: ['build', 'sync', 'verify'] };

/** gulp mirror copies between the primary and its backup: the only pair whose settings cannot leak into each other (BACKUP_ names). */
function checkMirrorFlags(v: Readonly<Record<string, FlagValue>>): void {
  if (v.to === undefined) throw new UsageError('gulp mirror needs --to: the store to copy into', 'e.g. `gulp mirror --to backup` (source: --env, default production)');
  if (v.to === v.env) throw new UsageError(`--env and --to are both ${String(v.env)}: a store cannot be mirrored onto itself`);
  if (v.to !== 'backup' && v.env !== 'backup') {
    throw new UsageError(`gulp mirror copies between a store and its backup: --env ${String(v.env)} --to ${String(v.to)} names no backup`,
      'mirror into the backup (`--to backup`), or back from it (`--env backup --to production`)');
  }
}

/** Rules between one task's flags, checked with every other flag before any task on the command line starts. */
export const FLAG_CHECKS: Partial<Record<TaskName, FlagCheck>> = {
  build: (v) => { if (typeof v.shard === 'string') parseShard(v.shard); },
  sync: checkSizeFlag,
  mirror: checkMirrorFlags,
  verify: (v) => {
    checkSizeFlag(v);
    if (v.sample !== undefined && v.deep !== true && v.public !== true) {
      throw new UsageError('--sample chooses which objects --deep or --public read; without either, verify reads no object and checks every listing anyway',
        'add --deep (read objects back) or --public (fetch through the public URL), or drop --sample');
    }
  },
};

export type TaskName = keyof typeof FLAG_TABLES;

/** A task's flags, parsed and checked against its table; their types come from the table. */
export type TaskFlags<T extends TaskName> = FlagValues<(typeof FLAG_TABLES)[T]>;

export function flagsFor<T extends TaskName>(task: T): TaskFlags<T> {
  // parseFlags converts each value by its spec's kind (the one place the table's types are trusted).
  return parseFlags(task, FLAG_TABLES, COMPOSITES, process.argv.slice(2), FLAG_CHECKS) as TaskFlags<T>;
}

export function flagHelp(task: TaskName): Record<string, string> {
  return describeFlags(FLAG_TABLES[task]);
}

/** A composite task's flags for `gulp --tasks`: each flag once, with the parts that take it. */
export function compositeFlagHelp(name: string): Record<string, string> {
  const help: Record<string, string> = {};
  const takers: Record<string, string[]> = {};
  for (const part of COMPOSITES[name] ?? []) {
    for (const [flag, description] of Object.entries(flagHelp(part as TaskName))) {
      help[flag] ??= description;
      (takers[flag] ??= []).push(part);
    }
  }
  return Object.fromEntries(Object.entries(help).map(([flag, description]) => [flag, `${description} [${(takers[flag] ?? []).join(', ')}]`]));
}
