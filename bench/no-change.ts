/**
 * Part 3: a large no-change rebuild. A corpus of small distinct covers is built cold once, then the
 * no-change rebuild is timed via the library (fresh process) and via `gulp build` end to end. When it
 * misses the target (or with --profile), a phase breakdown and a CPU profile say where the time goes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchArgs } from './args';
import { hotSpots, strategyTable, verdict, type TableRow } from './report';
import { summarizeCpuProfile } from './profile';
import { ensureCorpus, medianRun, noisy, quietRun, runChild, runGulpBuild, type ChildResult } from './run-child';

export const NO_CHANGE_TARGET_S = 1.5;

const log = (message: string): void => { process.stderr.write(`[bench] ${message}\n`); };

export interface NoChangeReport { markdown: string; pass: boolean; lines: string[] }

export async function noChangeRun(args: BenchArgs): Promise<NoChangeReport> {
  const cores = availableParallelism();
  const corpus = await ensureCorpus({ label: 'small', count: args.noChangeCount, minPx: 300, maxPx: 420, photos: args.photos });
  log(`no-change corpus: ${corpus.sources} covers 300–420 px (${corpus.generated ? `generated in ${corpus.seconds.toFixed(1)} s` : 'cached'})`);
  const work = mkdtempSync(join(tmpdir(), 'bench-nochange-'));
  // The built dest is kept next to the corpus, so reruns skip the ~1.5 min cold build: the setup build then
  // renders only what the current library and config consider stale (everything the first time, or after a
  // change to the encoder or recipe). --fresh-no-change builds into an empty temp folder instead.
  const kept = !args.freshNoChange;
  const o = kept
    ? { src: corpus.dir, dest: `${corpus.dir}.dist`, cacheDir: `${corpus.dir}.cache` }
    : { src: corpus.dir, dest: join(work, 'dist'), cacheDir: join(work, 'cache') };
  try {
    log(`setup build of ${corpus.sources} small covers into ${kept ? 'the kept' : 'an empty'} dest (not a target)…`);
    const cold = await runChild('ours', o);
    const lib: ChildResult[] = [];
    const cli: { seconds: number; peakRssMB: number | null; cpuSeconds?: number; foreignCpuSeconds: number | null; built: number;
      hashed: number; cached: number; inside: number }[] = [];
    for (let r = 0; r < args.repeat; r += 1) {
      lib.push(await quietRun(() => runChild('ours', o), cores));
      const g = await quietRun(() => runGulpBuild(o.src, o.dest, o.cacheDir), cores);
      cli.push({ ...g, built: g.summary.built ?? -1, hashed: g.summary.hashed ?? -1, cached: g.summary.cached ?? -1, inside: g.summary.seconds ?? NaN });
    }
    const bad = [...lib, ...cli].find((r) => r.built !== 0 || r.cached !== corpus.sources);
    if (bad) throw new Error(`no-change rebuild was not a no-op: built ${bad.built}, cached ${bad.cached} of ${corpus.sources}`);
    const l = medianRun(lib, cores);
    const c = medianRun(cli, cores);
    const rows: TableRow[] = [
      { ...cold, strategy: `ours, setup build: ${cold.built === corpus.sources ? 'cold' : `${cold.built} built`} (not a target)${noisy(cold, cores) ? ' †' : ''}`, rebuild: cold.built === 0 },
      { ...l, strategy: `ours, no-change rebuild — library call (fresh process)${noisy(l, cores) ? ' †' : ''}`, rebuild: true },
      { ...c, strategy: `ours, no-change rebuild — \`gulp build\` end to end (wall)${noisy(c, cores) ? ' †' : ''}`, sources: corpus.sources,
        outputs: 0, decodes: c.built, rebuild: true },
    ];
    const libPass = l.seconds < NO_CHANGE_TARGET_S && l.decodes === 0;
    const cliPass = c.seconds < NO_CHANGE_TARGET_S && c.built === 0;
    const span = (xs: number[]): string => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)} s over ${xs.length} runs`;
    const lines = [
      `- no-change ${corpus.sources}, library call: ${l.seconds.toFixed(2)} s (median; ${span(lib.map((r) => r.seconds))}; process spawn→exit ${(l.processSeconds ?? 0).toFixed(2)} s), `
        + `built ${l.built}, hashed ${l.hashed}, cached ${l.cached}: ${verdict(libPass)} (< ${NO_CHANGE_TARGET_S} s, 0 decodes)`
        + (libPass ? '' : ` — misses by ${(l.seconds - NO_CHANGE_TARGET_S).toFixed(2)} s (${((l.seconds / NO_CHANGE_TARGET_S - 1) * 100).toFixed(0)} %)`),
      `- no-change ${corpus.sources}, \`gulp build\` end to end: ${c.seconds.toFixed(2)} s (median; ${span(cli.map((r) => r.seconds))}), `
        + `built ${c.built}, hashed ${c.hashed}; buildImages inside gulp took ${c.inside.toFixed(2)} s of it: ${verdict(cliPass)}`
        + (cliPass ? '' : ` — misses by ${(c.seconds - NO_CHANGE_TARGET_S).toFixed(2)} s (${((c.seconds / NO_CHANGE_TARGET_S - 1) * 100).toFixed(0)} %)`),
    ];
    let markdown = strategyTable(rows, undefined, undefined);
    if (!libPass || !cliPass || args.profile) markdown += `\n\n${await profile(o, work)}`;
    return { markdown, pass: libPass && cliPass, lines };
  } finally {
    if (!args.keep) rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  }
}

async function profile(o: { src: string; dest: string; cacheDir: string }, work: string): Promise<string> {
  log('profiling the no-change rebuild…');
  const phases = (await runChild('phases', o)).phases as Record<string, number>;
  const parts = ['Phase breakdown (replay of buildImages with the library\'s exported functions, fresh process):', '',
    '| phase | seconds |', '|---|---|', ...Object.entries(phases).map(([k, s]) => `| ${k} | ${s.toFixed(3)} |`)];
  const plain = await runChild('ours', o);
  const inDomain = await runChild('ours', { ...o, domain: true });
  parts.push('', `The same library call inside a node:domain (as gulp's async-done runs tasks): ${inDomain.seconds.toFixed(2)} s `
    + `vs ${plain.seconds.toFixed(2)} s without (foreign CPU ${(inDomain.foreignCpuSeconds ?? 0).toFixed(2)} / ${(plain.foreignCpuSeconds ?? 0).toFixed(2)} s).`);
  const libDir = join(work, 'prof-lib');
  await runChild('ours', o, ['--cpu-prof', '--cpu-prof-dir', libDir]);
  const libProf = summarizeCpuProfile(libDir);
  parts.push('', hotSpots('Library no-change rebuild, top self time by function', libProf.functions, libProf.totalMs));
  parts.push('', hotSpots('… and by file', libProf.files, libProf.totalMs));
  const cliDir = join(work, 'prof-cli');
  await runGulpBuild(o.src, o.dest, o.cacheDir, ['--cpu-prof', '--cpu-prof-dir', cliDir]);
  const cliProf = summarizeCpuProfile(cliDir);
  parts.push('', hotSpots('`gulp build` no-change, top self time by file', cliProf.files, cliProf.totalMs));
  return parts.join('\n');
}
