/**
 * Scale benchmark (issue 14): a. peak RSS of `gulp build` and `gulp sync` on 30,000 objects; b. requests
 * and wall time of a no-change sync and a fast verify of them beside rclone; c. a cold upload over a link
 * with 40 ms added per request beside rclone and aws-cli at 16 and 32 in flight; d. client CPU per
 * uploaded object. All against s3rver in its own process. See bench/README.md.
 * Usage: npm run bench:scale -- [--parts a,b,c,d] [--albums 10000] [--artists 3334] [--rounds 3] …  (--help)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS_ROOT, DEFAULT_PHOTOS } from './args';
import { startS3rverProcess } from './bench-bucket';
import { startDelayProxy, type DelayProxy } from './delay-proxy';
import { AWS, hasAws, hasRclone, PeerConfigs, RCLONE } from './peer-tools';
import { codeVersion, machineInfo } from './run-child';
import { buildAndSync } from './scale-build-sync';
import { noChangeAtScale } from './scale-no-change';
import { coldUpload, uploadBuckets, uploadCpu } from './scale-upload';

export interface Verdict { target: string; result: string; verdict: string }

export interface ScaleContext {
  readonly work: string;
  /** s3rver, straight. */
  readonly endpoint: string;
  /** The counting proxy with no delay, and the one adding `delayMs` per request. */
  readonly counting: DelayProxy;
  readonly delayed: DelayProxy;
  readonly peers: PeerConfigs;
  readonly rounds: number;
  readonly albums: number;
  readonly artists: number;
  readonly photos: string;
  readonly unmanaged: number;
  /** Objects the bare listing of the part-b bucket returns (set by part b). */
  listed: number;
  readonly uploadCount: number;
  readonly cpuCount: number;
  readonly delayMs: number;
  readonly concurrencies: readonly number[];
  log(message: string): void;
}

const HELP = `usage: npm run bench:scale -- [flags]
  --parts a,b,c,d     a: build + sync peak RSS; b: no-change sync + fast verify (needs a); c: cold upload, delayed link; d: client CPU
  --albums N          album sources (default 10000)      --artists N   artist sources (default 3334: 30,002 objects on the site's recipe)
  --unmanaged N       objects put in the bucket that the tool did not make (default 500)
  --rounds R          rounds of b, c and d, order rotated, medians (default 3)
  --upload-count N    objects in the cold upload (default 2000)   --cpu-count N   objects in the CPU runs (default 800)
  --delay-ms MS       latency added per request in c (default 40) --concurrencies 16,32
  --photos DIR        photographs to cut the covers from (default test/fixtures/photos)`;

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] as string) : fallback;
}

const versionOf = (command: string, args: string[]): string =>
  (spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, AWS_CA_BUNDLE: '' } }).stdout ?? '').split('\n')[0]?.trim() ?? '';

async function main(): Promise<void> {
  if (process.argv.includes('--help')) { console.log(HELP); return; }
  const parts = new Set(flag('parts', 'a,b,c,d').split(','));
  const rounds = Number(flag('rounds', '3'));
  const concurrencies = flag('concurrencies', '16,32').split(',').map(Number);
  const work = await mkdtemp(join(tmpdir(), 'scale-bench-'));
  const port = 4590 + Math.floor(Math.random() * 300);
  const endpoint = `http://127.0.0.1:${port}`;
  const server = await startS3rverProcess(join(work, 's3'), port, ['scale', ...uploadBuckets(rounds, concurrencies)]);
  const delayMs = Number(flag('delay-ms', '40'));
  const counting = await startDelayProxy(endpoint, 0);
  const delayed = await startDelayProxy(endpoint, delayMs);
  const ctx: ScaleContext = {
    work, endpoint, counting, delayed, rounds, concurrencies, delayMs, listed: 0,
    peers: new PeerConfigs(work, { direct: endpoint, counted: counting.endpoint, delayed: delayed.endpoint }),
    albums: Number(flag('albums', '10000')), artists: Number(flag('artists', '3334')), photos: flag('photos', DEFAULT_PHOTOS),
    unmanaged: Number(flag('unmanaged', '500')), uploadCount: Number(flag('upload-count', '2000')), cpuCount: Number(flag('cpu-count', '800')),
    log: (message) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`),
  };
  const started = new Date();
  const load0 = loadavg().map((x) => x.toFixed(2)).join(' ');
  const lines: string[] = [];
  const verdicts: Verdict[] = [];
  const add = (part: { lines: string[]; verdicts?: Verdict[] }) => { lines.push(...part.lines, ''); verdicts.push(...(part.verdicts ?? [])); };
  try {
    const info = await machineInfo();
    if (parts.has('a')) {
      const a = await buildAndSync(ctx, 'scale');
      add(a);
      if (parts.has('b')) add(await noChangeAtScale(ctx, a.built));
    }
    if (parts.has('c')) add(await coldUpload(ctx));
    if (parts.has('d')) add(await uploadCpu(ctx));
    const tools = [hasRclone() ? versionOf(RCLONE, ['version']) : 'rclone: not installed', hasAws() ? versionOf(AWS, ['--version']) : 'aws-cli: not installed'];
    const report = [
      `## Scale run (${started.toISOString()})`, '',
      `Machine: ${info}; load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')} (bench start ${load0})`, '',
      `Code: ${codeVersion()}. Peers: ${tools.join('; ')}. s3rver 3.7.1 in its own process on 127.0.0.1.`, '',
      ...lines,
      '| target | result | verdict |', '|---|---|---|',
      ...verdicts.map((v) => `| ${v.target} | ${v.result} | **${v.verdict}** |`),
    ].join('\n');
    console.log(report);
    mkdirSync(CORPUS_ROOT, { recursive: true });
    writeFileSync(join(CORPUS_ROOT, 'last-scale-run.md'), `${report}\n`);
  } finally {
    counting.close();
    delayed.close();
    server.kill();
    await rm(work, { recursive: true, force: true });
  }
}

if (require.main === module) main().catch((error: unknown) => { console.error(error); process.exit(1); });
