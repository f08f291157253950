/**
 * `npm run bench:recipe`: the build on the default recipe (`russ-fm`: hi-res = the source, medium 800 inside
 * q85, avatar 128 cover q85 for artists), each strategy in its own process on the same corpus:
 *   1. ours, cold (buildImages, DEFAULT_IMAGE_CONFIG, empty dest and cache dir);
 *   2. the site's own loop (batches of 10, one sharp pipeline per output, hi-res copied);
 *   3. a hand-written decode-once ceiling (pool 2 and 4; the faster counts);
 *   4. ours again after `rm -rf dist`, same cache dir (the deploy's case).
 * Prints a Markdown report (also saved to bench/.corpus/last-recipe-run.md). See bench/README.md.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS_ROOT, DEFAULT_PHOTOS } from './args';
import type { RecipeCorpus } from './recipe-corpus';
import { verdict } from './report';
import { codeVersion, machineInfo, medianRun, noisy, quietRun, runChild, type ChildResult } from './run-child';

const log = (m: string): void => { process.stderr.write(`[bench:recipe] ${m}\n`); };

interface Args { count: number; artists: number; repeat: number; pools: number[]; concurrency: number | null; keep: boolean; photos: string | null }

function parse(argv: string[]): Args {
  const a: Args = { count: 200, artists: 40, repeat: 3, pools: [2, 4], concurrency: null, keep: false, photos: existsSync(DEFAULT_PHOTOS) ? DEFAULT_PHOTOS : null };
  const int = (name: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} needs a whole number ≥ ${min} (got ${v})`);
    return n;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const [name, inline] = (argv[i] as string).replace(/^--/, '').split(/=(.*)/s, 2);
    const v = (): string | undefined => inline ?? argv[++i];
    switch (name) {
      case 'count': a.count = int(name, v(), 1); break;
      case 'artists': a.artists = int(name, v(), 0); break;
      case 'repeat': a.repeat = int(name, v(), 1); break;
      case 'ceiling-pools': a.pools = (v() ?? '').split(',').map((s) => int(name, s, 1)); break;
      case 'concurrency': a.concurrency = int(name, v(), 1); break;
      case 'photos': a.photos = v() ?? null; break;
      case 'keep': a.keep = true; break;
      case 'help':
        process.stdout.write('usage: npm run bench:recipe -- [--count 200] [--artists 40] [--repeat 3] [--ceiling-pools 2,4] '
          + '[--concurrency N (ours; default defaultConcurrency())] [--photos DIR] [--keep]\n');
        process.exit(0);
        break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  return a;
}

/** medium/avatar (and hi-res) files of `b` that `a` wrote byte for byte identically. */
function compare(a: string, b: string): Record<string, { same: number; total: number }> {
  const by: Record<string, { same: number; total: number }> = {};
  for (const type of ['album', 'artist']) {
    if (!existsSync(join(b, type))) continue;
    for (const slug of readdirSync(join(b, type))) {
      for (const name of readdirSync(join(b, type, slug))) {
        const size = name.slice(slug.length + 1).replace(/\.jpg$/, '');
        const row = (by[size] ??= { same: 0, total: 0 });
        row.total += 1;
        try { if (readFileSync(join(a, type, slug, name)).equals(readFileSync(join(b, type, slug, name)))) row.same += 1; } catch { /* missing */ }
      }
    }
  }
  return by;
}

const f = (n: number, d = 1): string => n.toFixed(d);

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const cores = availableParallelism();
  const load0 = loadavg();
  const machine = await machineInfo();
  const version = codeVersion();
  log(machine);
  const corpus = (await runChild('recipe-corpus', { count: args.count, artists: args.artists, photos: args.photos })).corpus as RecipeCorpus;
  log(`corpus: ${corpus.albums} albums + ${corpus.artists} artists (${f(corpus.bytes / 1e6)} MB) at ${corpus.dir}`);
  const src = corpus.dir;

  const COLD = 'ours, cold';
  const SITE = "the site's loop (batches of 10, a pipeline per output)";
  const CEIL = (p: number): string => `ceiling: decode once, pool ${p}`;
  const REBUILD = 'ours, no-change rebuild after `rm -rf dist` (same cache dir)';
  const runs = new Map<string, ChildResult[]>();
  const add = (k: string, r: ChildResult): void => { runs.set(k, [...(runs.get(k) ?? []), r]); };
  let parity: Record<string, { same: number; total: number }> = {};
  const oursOpts = args.concurrency === null ? {} : { concurrency: args.concurrency };

  for (let rep = 0; rep < args.repeat; rep += 1) {
    const work = mkdtempSync(join(tmpdir(), 'bench-recipe-'));
    let n = 0;
    const dir = (name: string): string => join(work, `${name}-${++n}`);
    let oursDest = '';
    let siteDest = '';
    const steps: (() => Promise<void>)[] = [
      async () => {
        const cold = await quietRun(async () => {
          const o = { src, dest: dir('ours'), cacheDir: dir('cache'), ...oursOpts };
          return { ...(await runChild('recipe-ours', o)), o };
        }, cores);
        add(COLD, cold);
        oursDest = cold.o.dest;
        // (4) The deploy: dist deleted, the cache dir kept (actions/cache). Measured right after its cold build.
        const again = await quietRun(async () => {
          rmSync(cold.o.dest, { recursive: true, force: true });
          return runChild('recipe-ours', cold.o);
        }, cores);
        add(REBUILD, again);
      },
      async () => {
        const r = await quietRun(async () => { const dest = dir('site'); return { ...(await runChild('site-loop', { src, dest })), dest }; }, cores);
        add(SITE, r);
        siteDest = r.dest;
      },
      ...args.pools.map((pool) => async () => {
        add(CEIL(pool), await quietRun(() => runChild('recipe-ceiling', { src, dest: dir(`ceiling-${pool}`), pool }), cores));
      }),
    ];
    for (let i = 0; i < steps.length; i += 1) await (steps[(i + rep) % steps.length] as () => Promise<void>)(); // rotate the order
    if (rep === 0) parity = compare(oursDest, siteDest);
    log(`repeat ${rep + 1}/${args.repeat}: ${[...runs].map(([k, v]) => `${k} ${f((v[v.length - 1] as ChildResult).seconds, 2)} s`).join('; ')}`);
    if (args.keep) log(`kept ${work}`); else rmSync(work, { recursive: true, force: true });
  }

  const med = new Map([...runs].map(([k, v]) => [k, medianRun(v, cores)]));
  const sps = (r: ChildResult): number => r.sources / r.seconds;
  const [ceilLabel, ceil] = args.pools.map((p) => [CEIL(p), med.get(CEIL(p)) as ChildResult] as const).sort((a, b) => a[1].seconds - b[1].seconds)[0]!;
  const cold = med.get(COLD) as ChildResult;
  const site = med.get(SITE) as ChildResult;
  const rebuild = med.get(REBUILD) as ChildResult;
  const load1 = loadavg();
  // A wall-time ratio means something only when neither median run was disturbed by other processes.
  const wallVerdict = (ok: boolean, a: ChildResult, b: ChildResult): string => (noisy(a, cores) || noisy(b, cores)
    ? '**INCONCLUSIVE** (a median run was disturbed: see the CPU line)' : verdict(ok));

  const head = '| strategy | sources | outputs | seconds (runs; † disturbed) | sources/s | CPU s (runs) | peak RSS MB | decodes | foreign CPU s |';
  const rows = [head, `|${'---|'.repeat(9)}`];
  for (const [k, r] of med) {
    const all = (runs.get(k) ?? []).map((x) => `${f(x.seconds, 2)}${noisy(x, cores) ? '†' : ''}`).join(', ');
    const cpus = (runs.get(k) ?? []).map((x) => f(x.cpuSeconds, 2)).join(', ');
    const label = k === ceilLabel ? `**${k}** (the ceiling)` : k === COLD ? `${k} (concurrency ${cold.concurrency})` : k;
    rows.push(`| ${label}${noisy(r, cores) ? ' †' : ''} | ${r.sources} | ${r.outputs} | ${f(r.seconds, 2)} (${all}) | ${f(sps(r))} | `
      + `${f(r.cpuSeconds, 2)} (${cpus}) | ${f(r.peakRssMB, 0)} | ${r.decodes} | ${r.foreignCpuSeconds === null ? '—' : f(r.foreignCpuSeconds, 2)} |`);
  }
  const vsSite = sps(cold) / sps(site);
  const vsCeil = sps(cold) / sps(ceil);
  // On a shared machine wall time depends on the neighbours; CPU per source does not (much). All three are
  // CPU bound and saturate both cores when quiet, so the CPU ratio is what the wall ratio tends to.
  const cpuMed = (k: string): number => { const c = (runs.get(k) ?? []).map((x) => x.cpuSeconds / x.sources).sort((a, b) => a - b); return c[Math.floor((c.length - 1) / 2)] as number; };
  const cpuVsSite = cpuMed(SITE) / cpuMed(COLD);
  const cpuVsCeil = cpuMed(ceilLabel) / cpuMed(COLD);
  // The summary's counts (whatever it reports: e.g. a `restored` count once the render cache lands).
  const summaries = (runs.get(REBUILD) ?? []).map((r) => JSON.stringify(Object.fromEntries(Object.entries(r.summary as Record<string, unknown>)
    .filter(([k, v]) => typeof v === 'number' && !['bytesIn', 'bytesOut', 'seconds', 'sourcesPerSecond'].includes(k)))));
  const parityLine = Object.entries(parity).map(([size, p]) => `${size} ${p.same}/${p.total}`).join(', ');
  const identicalBoxes = ['medium', 'avatar'].every((s) => !parity[s] || parity[s]!.same === parity[s]!.total);
  const out = [
    `## Build benchmark, russ-fm recipe (${new Date().toISOString()})`, '',
    `Machine: ${machine}; load average at the end ${load1.map((x) => f(x, 2)).join(' ')} (parent start ${load0.map((x) => f(x, 2)).join(' ')}).`, '',
    `Code: ${version}`, '',
    `Corpus: ${corpus.albums} album covers + ${corpus.artists} artist sources, 1000–1600 px q90, cut from ${corpus.from} (${f(corpus.bytes / 1e6)} MB). `
      + `Outputs: hi-res (the source) + medium for every source, + avatar for artists = ${cold.outputs}. `
      + `Median of ${args.repeat} runs per strategy, each in a fresh process; runs with foreign CPU > 10 % of the machine are retried (up to 2 times, least disturbed kept); † = still disturbed.`, '',
    ...rows, '',
    `- ours / the site's loop: ${f(vsSite, 2)}× in wall time (target ≥ 0.95×) ${wallVerdict(vsSite >= 0.95, cold, site)}`,
    `- ours / the ceiling (${ceilLabel}): ${f(vsCeil, 2)}× in wall time (target ≥ 0.9×) ${wallVerdict(vsCeil >= 0.9, cold, ceil)}`,
    `- by CPU per source (medians of all runs; load-robust): ours ${f(cpuMed(COLD) * 1000)} ms, the site's loop ${f(cpuMed(SITE) * 1000)} ms, `
      + `the ceiling ${f(cpuMed(ceilLabel) * 1000)} ms: ours = ${f(cpuVsSite, 2)}× the site's loop and ${f(cpuVsCeil, 2)}× the ceiling in sources per CPU second`,
    `- no-change rebuild after \`rm -rf dist\`: ${f(rebuild.seconds, 2)} s, decodes (summary \`built\`) ${rebuild.built} (target 0) ${verdict(rebuild.built === 0)}; `
      + `${'restored' in (rebuild.summary as object) ? `restored ${(rebuild.summary as Record<string, unknown>).restored}` : 'the summary has no `restored` field'}`,
    `- rebuild summaries per run: ${summaries.map((s) => `\`${s}\``).join('; ')}`,
    `- ours vs the site's loop, byte for byte (run 1): ${parityLine} ${identicalBoxes ? '(medium and avatar identical)' : '(**medium/avatar differ**)'}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  writeFileSync(join(CORPUS_ROOT, 'last-recipe-run.md'), `${out.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:recipe: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
