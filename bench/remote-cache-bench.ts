/**
 * `npm run bench:remote-cache`: the remote build cache on a fresh runner (issue [10/10]'s target: "10,000
 * sources of 1000–1600 px like the site's, fresh clone, nothing changed, end to end against the embedded
 * bucket in under 10 s; with 10 changed sources, exactly those rendered and sent").
 *
 *   0. the recipe corpus (bench/recipe-corpus.ts: albums + artists, 1000–1600 px, cached under bench/.corpus),
 *      hard-linked into a scratch src/ (so changing a source never touches the cached corpus);
 *   1. seed: `gulp --env development` (build + sync + verify) into an S3 server in its own process
 *      (s3rver, as the other benches run it), from its own dist and cache dir;
 *   2. fresh runner, nothing changed: empty dist and cache dir, `gulp --env development` end to end through
 *      a counting proxy (bench process), timed from spawn to exit, peak RSS of the gulp process;
 *   3. the parts on another fresh runner, each its own `gulp` process: `build --env`, `sync`, `verify`,
 *      plus gulp's own start-up (`gulp --tasks-simple`) and a plain SHA-256 loop over the same sources
 *      (readFileSync + createHash in this process): a fresh runner has no source index, so hashing
 *      every source is the build's floor;
 *   4. `--changed` sources re-encoded (flopped), then a fresh runner again: exactly those rendered, and
 *      exactly their outputs sent (image PUTs counted at the proxy).
 * Prints a Markdown report (also saved to bench/.corpus/last-remote-cache-run.md). See bench/README.md.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { FaultProxy } from '../test/servers/fault-proxy';
import { CORPUS_ROOT, DEFAULT_PHOTOS } from './args';
import { startS3rverProcess } from './bench-bucket';
import type { RecipeCorpus } from './recipe-corpus';
import { codeVersion, machineInfo, noisy, runChild, runGulpCli, type GulpCliRun } from './run-child';

const log = (m: string): void => { process.stderr.write(`[bench:remote-cache] ${new Date().toISOString().slice(11, 19)} ${m}\n`); };

interface Args { count: number; artists: number; changed: number; repeat: number; targetSeconds: number; keep: boolean; photos: string | null }

function parse(argv: string[]): Args {
  const a: Args = { count: 8000, artists: 2000, changed: 10, repeat: 3, targetSeconds: 10, keep: false, photos: existsSync(DEFAULT_PHOTOS) ? DEFAULT_PHOTOS : null };
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
      case 'changed': a.changed = int(name, v(), 1); break;
      case 'repeat': a.repeat = int(name, v(), 1); break;
      case 'target-seconds': a.targetSeconds = Number(v()); break;
      case 'photos': a.photos = v() ?? null; break;
      case 'keep': a.keep = true; break;
      case 'help':
        process.stdout.write('usage: npm run bench:remote-cache -- [--count 8000 (albums)] [--artists 2000] [--changed 10] '
          + '[--repeat 3 (nothing-changed runs, each on its own fresh runner; the median counts)] [--target-seconds 10] [--photos DIR] [--keep]\n');
        process.exit(0);
        break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  return a;
}

const f = (n: number, d = 2): string => n.toFixed(d);

/** Every source file under `dir` ({album,artist}/<slug>/<slug>-hi-res.jpg), sorted. */
function sourcesOf(dir: string): string[] {
  const out: string[] = [];
  for (const type of ['album', 'artist']) {
    if (!existsSync(join(dir, type))) continue;
    for (const slug of readdirSync(join(dir, type)).sort()) out.push(join(dir, type, slug, `${slug}-hi-res.jpg`));
  }
  return out;
}

/** The JSON lines a `--json` gulp run printed, in order (build, sync, verify for the default task). */
function jsonLines(run: GulpCliRun): Record<string, unknown>[] {
  return run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

interface Row { step: string; run: GulpCliRun; inner?: unknown; built?: unknown; remote?: unknown; hashed?: unknown; imagePuts?: number; requests?: string }

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const cores = availableParallelism();
  const load0 = loadavg();
  const machine = await machineInfo();
  const version = codeVersion();
  log(machine);
  const corpus = (await runChild('recipe-corpus', { count: args.count, artists: args.artists, photos: args.photos })).corpus as RecipeCorpus;
  const total = corpus.albums + corpus.artists;
  log(`corpus: ${corpus.albums} albums + ${corpus.artists} artists (${f(corpus.bytes / 1e6, 1)} MB) at ${corpus.dir}`);

  // On the corpus's file system, so src/ can be hard links (the changed sources are replaced, never written through).
  const work = join(CORPUS_ROOT, `remote-cache-work-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const src = join(work, 'src');
  execFileSync('cp', ['-al', corpus.dir, src]);
  rmSync(join(src, 'recipe-corpus.json'), { force: true });
  const port = 4590 + Math.floor(Math.random() * 300);
  const server = await startS3rverProcess(join(work, 's3'), port, ['rcache']);
  const proxy = new FaultProxy(`http://127.0.0.1:${port}`);
  const base = {
    R2_BUCKET_NAME: 'rcache', R2_ACCESS_KEY_ID: 'S3RVER', R2_SECRET_ACCESS_KEY: 'S3RVER',
    REPORTS_DIR: join(work, 'reports'), FORCE_COLOR: '0', NO_COLOR: '1',
  };
  const direct = { ...base, S3_ENDPOINT: `http://127.0.0.1:${port}` };
  const proxied = { ...base, S3_ENDPOINT: await proxy.start() };
  let runner = 0;
  /** A fresh runner: an empty dist and cache dir of its own. */
  const fresh = (): { dest: string; cache: string } => {
    runner += 1;
    return { dest: join(work, `dist-${runner}`), cache: join(work, `cache-${runner}`) };
  };
  const where = (r: { dest: string; cache: string }) => ['--src', src, '--dest', r.dest, '--cache-dir', r.cache];
  /** Image objects written (PUT or copy; the tool's `_` records left out) from now on. */
  const counting = (): { puts: string[] } => {
    proxy.reset();
    const counted = { puts: [] as string[] };
    proxy.onRequest = (op, key) => { if ((op === 'put' || op === 'copy') && !key.startsWith('_')) counted.puts.push(key); };
    return counted;
  };
  const requests = (): string => Object.entries(proxy.counts).filter(([, n]) => n > 0).map(([op, n]) => `${op} ${n}`).join(', ');
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    log('seed: gulp --env development (cold build + sync + verify) …');
    const seedRunner = fresh();
    const seed = await runGulpCli(['--env', 'development', ...where(seedRunner), '--json', '--silent'], direct);
    const [seedBuild] = jsonLines(seed);
    log(`seed: ${f(seed.seconds, 1)} s; build ${JSON.stringify({ built: seedBuild?.built, failed: seedBuild?.failed })}`);
    const outputs = Number(seedBuild?.outputsWritten ?? 0);
    notes.push(`seed (not measured for the target): \`gulp --env development\` cold, ${f(seed.seconds, 1)} s, ${String(seedBuild?.built)} sources built, `
      + `${outputs} outputs uploaded`);

    // 2. Fresh runner, nothing changed: the target (each run on its own fresh runner; the median run is the row).
    let counted = counting();
    const noChangeRows: Row[] = [];
    for (let i = 0; i < args.repeat; i += 1) {
      log(`fresh runner, nothing changed (run ${i + 1}/${args.repeat}): gulp --env development …`);
      counted = counting();
      const run = await runGulpCli(['--env', 'development', ...where(fresh()), '--json', '--silent'], proxied);
      const [b2] = jsonLines(run);
      noChangeRows.push({ step: '', run, built: b2?.built, remote: b2?.remote, hashed: b2?.hashed, imagePuts: counted.puts.length, requests: requests() });
      log(`… ${f(run.seconds)} s, built ${String(b2?.built)}, image PUTs ${counted.puts.length}`);
    }
    const bySeconds = [...noChangeRows].sort((x, y) => x.run.seconds - y.run.seconds);
    const median = bySeconds[Math.floor((bySeconds.length - 1) / 2)] as Row;
    rows.push({ ...median, step: `**fresh runner, nothing changed: \`gulp --env development\`** (build + sync + verify; median of ${args.repeat}: `
      + `${noChangeRows.map((r) => `${f(r.run.seconds)}${noisy(r.run, cores) ? '†' : ''}`).join(', ')} s)` });

    // 3. The parts, each its own process, on another fresh runner; then the floors.
    const parts = fresh();
    for (const [step, gulpArgs] of [
      ['part: `gulp build --env development`', ['build', '--env', 'development', ...where(parts), '--json', '--silent']],
      ['part: `gulp sync --env development`', ['sync', '--env', 'development', '--dest', parts.dest, '--json', '--silent']],
      ['part: `gulp verify --env development`', ['verify', '--env', 'development', '--dest', parts.dest, '--json', '--silent']],
      ['floor: gulp start-up (`gulp --tasks-simple`)', ['--tasks-simple']],
    ] as const) {
      counted = counting();
      const run = await runGulpCli([...gulpArgs], proxied);
      const [summary] = jsonLines(run);
      rows.push({ step, run, inner: summary?.seconds, built: summary?.built, remote: summary?.remote, hashed: summary?.hashed, imagePuts: counted.puts.length, requests: requests() });
      log(`${step}: ${f(run.seconds)} s`);
    }
    const files = sourcesOf(src);
    const t0 = performance.now();
    let hashedBytes = 0;
    for (const file of files) {
      const data = readFileSync(file);
      hashedBytes += data.length;
      createHash('sha256').update(data).digest('hex');
    }
    const loopSeconds = (performance.now() - t0) / 1000;
    log(`floor: sha256 loop over ${files.length} sources: ${f(loopSeconds)} s`);

    // 4. Change sources, then a fresh runner again.
    const sharp = require('sharp') as typeof import('sharp').default;
    const step = Math.max(1, Math.floor(files.length / args.changed));
    const changed = Array.from({ length: Math.min(args.changed, files.length) }, (_, i) => files[i * step] as string);
    for (const file of changed) {
      const flopped = await sharp(readFileSync(file)).flop().jpeg({ quality: 90 }).toBuffer();
      rmSync(file); // a hard link into the corpus: replace the file, never write through it
      writeFileSync(file, flopped);
    }
    log(`changed ${changed.length} sources; fresh runner: gulp --env development …`);
    counted = counting();
    const afterChange = await runGulpCli(['--env', 'development', ...where(fresh()), '--json', '--silent'], proxied);
    const [b4] = jsonLines(afterChange);
    rows.push({ step: `fresh runner, ${changed.length} sources changed: \`gulp --env development\``, run: afterChange, built: b4?.built, remote: b4?.remote, hashed: b4?.hashed, imagePuts: counted.puts.length, requests: requests() });
    const folders = new Set(changed.map((file) => file.slice(src.length + 1, file.lastIndexOf('/') + 1)));
    const sentOutside = counted.puts.filter((key) => !folders.has(key.slice(0, key.lastIndexOf('/') + 1)));
    const expectedPuts = changed.length + changed.filter((file) => file.includes('/artist/')).length + changed.length; // hi-res + medium (+ avatar)

    const target = rows[0] as Row;
    const changedRow = rows[rows.length - 1] as Row;
    const buildPart = rows[1] as Row;
    const lines: string[] = [];
    lines.push(`### Run (${new Date().toISOString()})`, '');
    lines.push(`Machine: ${machine}; load average at the end ${loadavg().map((x) => f(x)).join(' ')} (bench start ${load0.map((x) => f(x)).join(' ')}).`, '');
    lines.push(`Code: ${version}`, '');
    lines.push(`Corpus: ${corpus.albums} album covers + ${corpus.artists} artist sources = ${total} sources, 1000–1600 px q90, from ${corpus.from} `
      + `(${f(corpus.bytes / 1e6, 1)} MB); ${outputs} outputs in the bucket. S3 server: s3rver in its own process on 127.0.0.1 `
      + '(`--env development` with S3_ENDPOINT), the measured runs through a counting proxy in the bench process. Each row is one `gulp` process, timed from spawn to exit; '
      + 'a fresh runner is an empty dist and cache dir. Foreign CPU = other processes\' busy CPU during the run (> 10 % of the machine: † disturbed).', '');
    lines.push('| step | seconds | CPU s | peak RSS MB | built (encodes) | from the bucket\'s release | hashed | image PUTs | requests | foreign CPU s |');
    lines.push(`|${'---|'.repeat(10)}`);
    const cell = (x: unknown): string => (x === undefined ? '—' : String(x));
    for (const r of rows) {
      lines.push(`| ${r.step} | ${f(r.run.seconds)}${noisy(r.run, cores) ? ' †' : ''} | ${r.run.cpuSeconds === undefined ? '—' : f(r.run.cpuSeconds)} | `
        + `${r.run.peakRssMB === null ? '?' : f(r.run.peakRssMB, 0)} | ${cell(r.built)} | ${cell(r.remote)} | ${cell(r.hashed)} | ${cell(r.imagePuts)} | ${r.requests ?? '—'} | `
        + `${r.run.foreignCpuSeconds === null ? '—' : f(r.run.foreignCpuSeconds)} |`);
    }
    lines.push(`| floor: plain SHA-256 loop over the ${files.length} sources (readFileSync + createHash, bench process) | ${f(loopSeconds)} | — | — | — | — | ${files.length} | — | — | — |`);
    lines.push('');
    const meets = target.run.seconds < args.targetSeconds;
    const allZero = noChangeRows.every((r) => r.built === 0 && r.imagePuts === 0);
    lines.push(`- nothing changed, fresh runner, end to end: ${f(target.run.seconds)} s (target < ${args.targetSeconds} s at ${total} sources) `
      + `**${meets ? 'PASS' : 'FAIL'}**${noisy(target.run, cores) ? ' (run disturbed by other processes)' : ''}; encodes ${cell(target.built)} (target 0) `
      + `**${target.built === 0 ? 'PASS' : 'FAIL'}**; image uploads ${cell(target.imagePuts)} (target 0) **${target.imagePuts === 0 ? 'PASS' : 'FAIL'}**`
      + `${allZero ? '' : ' (another run rendered or uploaded something: see the log)'}`);
    const exact = changedRow.built === changed.length && sentOutside.length === 0 && changedRow.imagePuts === expectedPuts;
    lines.push(`- ${changed.length} sources changed, fresh runner: encodes ${cell(changedRow.built)}, image PUTs ${cell(changedRow.imagePuts)} `
      + `(their outputs: ${expectedPuts}), outside the changed sources' folders ${sentOutside.length} **${exact ? 'PASS' : 'FAIL'}**; ${f(changedRow.run.seconds)} s`);
    lines.push(`- the build part on a fresh runner: ${f(buildPart.run.seconds)} s (${f(Number(buildPart.inner))} s inside buildImages by its summary: scan, hash, plan, manifest), of which a plain SHA-256 loop over the same ${f(hashedBytes / 1e6, 0)} MB takes `
      + `${f(loopSeconds)} s (${f(hashedBytes / 1e6 / loopSeconds, 0)} MB/s) and gulp's start-up ${f((rows[4] as Row).run.seconds)} s`);
    for (const note of notes) lines.push(`- ${note}`);
    const report = lines.join('\n');
    process.stdout.write(`${report}\n`);
    writeFileSync(join(CORPUS_ROOT, 'last-remote-cache-run.md'), `${report}\n`);
  } finally {
    await proxy.close().catch(() => undefined);
    server.kill();
    if (!args.keep) rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  }
}

if (require.main === module) main().catch((error: unknown) => { console.error(error); process.exit(1); });
