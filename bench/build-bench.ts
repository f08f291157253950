/**
 * `npm run bench:build`: our build vs a hand-written ceiling vs russ.fm's sequential loop, each in its own
 * process on the same covers; a large no-change rebuild; and a mozjpeg-vs-plain side table. See bench/README.md.
 * This parent never loads sharp (corpus generation runs in a child too), so it stays small.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS_ROOT, parseArgs } from './args';
import type { FormatRow } from './formats';
import { noChangeRun } from './no-change';
import { formatsMarkdown, mozjpegVerdict, strategyTable, verdict, type TableRow } from './report';
import { codeVersion, ensureCorpus, machineInfo, medianRun, noisy, quietRun, runChild, runGulpBuild, type ChildResult } from './run-child';

const log = (message: string): void => { process.stderr.write(`[bench] ${message}\n`); };
const sps = (r: { sources: number; seconds: number }): number => r.sources / r.seconds;

/** Files the ceiling wrote that our build wrote byte for byte identically (same recipe ⇒ same bytes). */
function identical(ours: string, ceiling: string): { same: number; total: number } {
  let same = 0;
  let total = 0;
  for (const slug of readdirSync(join(ceiling, 'album'))) {
    for (const name of readdirSync(join(ceiling, 'album', slug))) {
      total += 1;
      try { if (readFileSync(join(ours, 'album', slug, name)).equals(readFileSync(join(ceiling, 'album', slug, name)))) same += 1; } catch { /* missing */ }
    }
  }
  return { same, total };
}

const SEQ = 'sequential (russ.fm today: 3 sizes, q85 baseline)';
const SEQ_OURS = 'sequential loop on our recipe (4 pipelines per source, same outputs as ours)';
const EQ = ' — sequential\'s recipe';

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cores = availableParallelism();
  const machine = await machineInfo();
  const version = codeVersion();
  log(machine);
  const corpus = await ensureCorpus({ label: 'covers', count: args.count, minPx: 1000, maxPx: 1600, photos: args.photos });
  log(`corpus: ${corpus.sources} covers 1000–1600 px from ${corpus.from}, ${(corpus.bytes / 1e6).toFixed(1)} MB `
    + `(${corpus.generated ? `generated in ${corpus.seconds.toFixed(1)} s` : 'cached'}) at ${corpus.dir}`);

  const runs = new Map<string, ChildResult[]>();
  const add = (label: string, r: ChildResult): void => { runs.set(label, [...(runs.get(label) ?? []), r]); };
  let parity = { same: 0, total: 0 };
  for (let rep = 0; rep < args.repeat; rep += 1) {
    const work = mkdtempSync(join(tmpdir(), 'bench-build-'));
    const src = corpus.dir;
    let oursDest = '';
    let ceilingDest = '';
    let fresh = 0;
    const dir = (name: string): string => join(work, `${name}-${++fresh}`); // a fresh folder per attempt
    const ours = (recipe: 'default' | 'sequential', suffix: string) => async (): Promise<void> => {
      const cold = await quietRun(async () => {
        const o = { src, dest: dir(`ours-${recipe}`), cacheDir: dir(`cache-${recipe}`), recipe };
        return { ...(await runChild('ours', o)), o };
      }, cores);
      add(`ours, cold${suffix}`, cold);
      if (recipe === 'default') oursDest = cold.o.dest;
      if (recipe !== 'default') return;
      const again = await quietRun(() => runChild('ours', cold.o), cores);
      if (again.built !== 0 || again.cached !== corpus.sources) throw new Error(`no-change rebuild built ${again.built}, cached ${again.cached}`);
      add('ours, no-change rebuild', again);
    };
    const ceiling = (recipe: 'default' | 'sequential', suffix: string, pool: number) => async (): Promise<void> => {
      const dest = dir(`ceiling-${recipe}-${pool}`);
      if (recipe === 'default' && pool === args.ceilingPools[0]) ceilingDest = dest;
      add(`ceiling, pool ${pool}${suffix}`, await quietRun(() => runChild('ceiling', { src, dest, pool, recipe }), cores));
    };
    const steps = [ours('default', ''), ...args.ceilingPools.map((p) => ceiling('default', '', p)),
      async () => { add(SEQ, await quietRun(() => runChild('sequential', { src, dest: dir('sequential') }), cores)); },
      async () => { add(SEQ_OURS, await quietRun(() => runChild('sequential', { src, dest: dir('sequential-ours'), recipe: 'default' }), cores)); }];
    if (args.sameRecipe) steps.push(ours('sequential', EQ), ...args.ceilingPools.map((p) => ceiling('sequential', EQ, p)));
    for (let i = 0; i < steps.length; i += 1) await (steps[(i + rep) % steps.length] as () => Promise<void>)(); // rotate order per repeat
    if (rep === 0) parity = identical(oursDest, ceilingDest);
    log(`repeat ${rep + 1}/${args.repeat}: ${[...runs].map(([k, v]) => `${k} ${(v[v.length - 1] as ChildResult).seconds.toFixed(2)} s`).join('; ')}`);
    if (args.keep) log(`kept ${work}`); else rmSync(work, { recursive: true, force: true });
  }

  const med = new Map([...runs].map(([k, v]) => [k, medianRun(v, cores)]));
  const best = (suffix: string): [string, ChildResult] => [...med]
    .filter(([k]) => k.startsWith('ceiling') && k.endsWith(suffix) && (suffix !== '' || !k.endsWith(EQ)))
    .sort((a, b) => a[1].seconds - b[1].seconds)[0] as [string, ChildResult];
  const [ceilingLabel, ceiling] = best('');
  const seq = med.get(SEQ) as ChildResult;
  const cold = med.get('ours, cold') as ChildResult;
  const rebuild = med.get('ours, no-change rebuild') as ChildResult;
  const row = (label: string, r: ChildResult, ceil: string): TableRow => ({
    ...r, strategy: (label === ceil ? `**${label}** (ceiling)` : label.startsWith('ours, cold') ? `${label} (concurrency ${r.concurrency})` : label)
      + (noisy(r, cores) ? ' †' : ''),
    rebuild: label === 'ours, no-change rebuild',
  });
  const rows = [...med].filter(([k]) => !k.endsWith(EQ)).map(([k, r]) => row(k, r, ceilingLabel));
  if (args.cliCold) {
    const work = mkdtempSync(join(tmpdir(), 'bench-cli-'));
    let n = 0;
    const g = await quietRun(() => runGulpBuild(corpus.dir, join(work, `dist-${++n}`), join(work, `cache-${n}`)), cores);
    rows.splice(1, 0, { strategy: `\`gulp build\` cold, end to end (1 run, wall incl. start-up)${noisy(g, cores) ? ' †' : ''}`, sources: g.summary.sources ?? 0,
      outputs: g.summary.outputsWritten ?? 0, seconds: g.seconds, peakRssMB: g.peakRssMB, decodes: g.summary.built ?? 0,
      cpuSeconds: g.cpuSeconds, foreignCpuSeconds: g.foreignCpuSeconds });
    rmSync(work, { recursive: true, force: true });
  }

  const coldVsCeiling = sps(cold) / sps(ceiling);
  const coldVsSeq = sps(cold) / sps(seq);
  const seqOurs = med.get(SEQ_OURS) as ChildResult;
  const coldVsSeqOurs = sps(cold) / sps(seqOurs);
  const targets = [
    `- cold ≥ 2 × the sequential loop on the same recipe: ${coldVsSeqOurs.toFixed(2)}× ${verdict(coldVsSeqOurs >= 2)}`,
    `- cold ≥ 0.9 × ceiling: ${coldVsCeiling.toFixed(2)}× (${ceilingLabel}) ${verdict(coldVsCeiling >= 0.9)}`,
    `- cold ≥ 2 × sequential: ${coldVsSeq.toFixed(2)}× in sources/s, ${((cold.outputs / cold.seconds) / (seq.outputs / seq.seconds)).toFixed(2)}× in outputs/s `
      + `(not comparable: russ.fm's loop makes 3 cheap outputs per source, ours 4 incl. hi-res, progressive, mozjpeg)`,
    `- no-change rebuild of ${rebuild.sources}: ${rebuild.seconds.toFixed(3)} s, built ${rebuild.built}, cached ${rebuild.cached}, hashed ${rebuild.hashed} (decodes = built)`,
  ];
  const out = [
    `## Build benchmark (${new Date().toISOString()})`, '', `Machine: ${machine}`, '', `Code: ${version}`, '',
    `Corpus: ${corpus.sources} album covers 1000–1600 px (q90) from ${corpus.from}; median of ${args.repeat} runs per strategy (of the undisturbed ones), each in a fresh process.`,
    `Our outputs byte-identical to the ceiling's: ${parity.same}/${parity.total}. A run with foreign CPU > 10 % of the machine is retried`
      + ' (up to 2 times, least disturbed kept); † marks rows still disturbed.', '',
    strategyTable(rows, sps(ceiling), sps(seq)), '', 'Targets:', '', ...targets,
  ];
  if (args.sameRecipe) {
    const [eqCeilLabel, eqCeil] = best(EQ);
    const eq = [...med].filter(([k]) => k.endsWith(EQ)).map(([k, r]) => row(k, r, eqCeilLabel));
    const eqOurs = med.get(`ours, cold${EQ}`) as ChildResult;
    out.push('', 'Equal work (not a target): ours and the ceiling on the sequential loop\'s recipe (medium/small/avatar, q85 baseline, no mozjpeg, no hi-res):', '',
      strategyTable([...eq, row(SEQ, seq, '')], sps(eqCeil), sps(seq)), '',
      `- equal work: ours = ${(sps(eqOurs) / sps(eqCeil)).toFixed(2)}× its ceiling and ${(sps(eqOurs) / sps(seq)).toFixed(2)}× sequential.`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
  let pass = coldVsCeiling >= 0.9 && coldVsSeqOurs >= 2;

  if (args.noChangeCount > 0) {
    const nc = await noChangeRun(args);
    const part = ['', `### No-change rebuild, ${args.noChangeCount} small covers (median of ${args.repeat})`, '', nc.markdown, '', ...nc.lines];
    process.stdout.write(`${part.join('\n')}\n`);
    out.push(...part);
    pass &&= nc.pass;
  }
  if (args.formatsTable) {
    log(`formats table on ${args.formatsCount} covers…`);
    const rowsF = (await runChild('formats', { src: corpus.dir, count: args.formatsCount })).rows as FormatRow[];
    const part = ['', `### JPEG: mozjpeg vs plain at q${rowsF[0]?.quality} (${rowsF[0]?.covers} covers, one encode at a time, CPU ms per output)`, '',
      formatsMarkdown(rowsF), '', mozjpegVerdict(rowsF)];
    process.stdout.write(`${part.join('\n')}\n`);
    out.push(...part);
  }
  writeFileSync(join(CORPUS_ROOT, 'last-run.md'), `${out.join('\n')}\n`);
  log(`report also saved to ${join(CORPUS_ROOT, 'last-run.md')}; targets overall: ${pass ? 'PASS' : 'FAIL'}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
