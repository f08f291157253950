/** Command-line flags of `npm run bench:build` (see bench/README.md). */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Generated corpora (git-ignored) and the last report. */
export const CORPUS_ROOT = join(__dirname, '.corpus');

/** The photographs shipped for the tests: the default source of covers when no --photos is given. */
export const DEFAULT_PHOTOS = join(__dirname, '..', 'test', 'fixtures', 'photos');

export interface BenchArgs {
  /** Album covers in the main corpus (strategies a–d). */
  count: number;
  /** Small covers in the no-change corpus; 0 skips that part. */
  noChangeCount: number;
  /** Folder of photographs to cut covers from; null means synthetic images. */
  photos: string | null;
  /** Runs of strategies a–d; each row reports the median run. */
  repeat: number;
  /** Pool sizes tried for the hand-written ceiling; the fastest one is "the ceiling". */
  ceilingPools: number[];
  formatsTable: boolean;
  formatsCount: number;
  /** `gulp build` end to end for the cold build of the main corpus too. */
  cliCold: boolean;
  /** Always CPU-profile the 10k no-change rebuild (otherwise only when it misses its target). */
  profile: boolean;
  /** Also run ours and the ceiling with the sequential loop's recipe (3 sizes, q85 baseline): equal work. */
  sameRecipe: boolean;
  /** Build the no-change corpus into an empty temp folder instead of reusing the kept dest. */
  freshNoChange: boolean;
  /** Keep the temp dest folders (for inspection). */
  keep: boolean;
}

const HELP = `usage: npm run bench:build -- [flags]
  --count N               album covers for strategies a–d (default 120)
  --no-change-count N     small covers for the no-change run (default 10000; 0 skips it)
  --photos DIR            photographs to cut covers from (default test/fixtures/photos; synthetic if missing)
  --repeat R              runs of each strategy, median reported (default 3)
  --ceiling-pools 2,4     pool sizes for the hand-written ceiling; the fastest is the ceiling (default 2,4)
  --formats-table / --no-formats-table   mozjpeg vs plain side table (default on)
  --formats-count N       covers in the formats table (default 20)
  --cli-cold / --no-cli-cold   also time \`gulp build\` cold on the main corpus (default on)
  --same-recipe / --no-same-recipe   also run ours and the ceiling on the sequential loop's recipe (default on)
  --fresh-no-change       cold-build the no-change corpus into an empty folder (default: reuse the kept bench/.corpus/*.dist)
  --profile               CPU-profile the 10k no-change rebuild even if it meets the target
  --keep                  keep temp output folders`;

function intFlag(name: string, raw: string | undefined, min: number): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isInteger(n) || n < min) throw new Error(`--${name} needs a whole number ≥ ${min} (got ${raw})`);
  return n;
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = {
    count: 120, noChangeCount: 10_000, photos: existsSync(DEFAULT_PHOTOS) ? DEFAULT_PHOTOS : null, repeat: 3,
    ceilingPools: [2, 4], formatsTable: true, formatsCount: 20, cliCold: true, sameRecipe: true, freshNoChange: false, profile: false, keep: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const [name, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (name) {
      case 'count': args.count = intFlag(name, value(), 1); break;
      case 'no-change-count': args.noChangeCount = intFlag(name, value(), 0); break;
      case 'photos': {
        const dir = resolve(value() ?? '');
        if (!existsSync(dir)) throw new Error(`--photos ${dir} does not exist`);
        args.photos = dir;
        break;
      }
      case 'repeat': args.repeat = intFlag(name, value(), 1); break;
      case 'ceiling-pools':
        args.ceilingPools = (value() ?? '').split(',').map((s) => intFlag(name, s.trim(), 1));
        break;
      case 'formats-table': args.formatsTable = true; break;
      case 'no-formats-table': args.formatsTable = false; break;
      case 'formats-count': args.formatsCount = intFlag(name, value(), 1); break;
      case 'cli-cold': args.cliCold = true; break;
      case 'no-cli-cold': args.cliCold = false; break;
      case 'same-recipe': args.sameRecipe = true; break;
      case 'no-same-recipe': args.sameRecipe = false; break;
      case 'fresh-no-change': args.freshNoChange = true; break;
      case 'profile': args.profile = true; break;
      case 'keep': args.keep = true; break;
      case 'help': case 'h': process.stdout.write(`${HELP}\n`); process.exit(0); break;
      default: throw new Error(`unknown argument ${arg}\n${HELP}`);
    }
  }
  return args;
}
