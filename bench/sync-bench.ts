/**
 * Sync benchmark: our `gulp sync` against rclone and aws-cli on the same files and the same s3rver
 * (its own process, 127.0.0.1), plus request counts for the no-change and k-changed cases.
 * Usage: npm run bench:sync -- [--count 2000] [--changed 10] [--rounds 3]
 * Needs Debian's rclone and awscli (`apt-get install rclone awscli`); a tool that is missing is skipped.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultProxy } from '../test/servers/fault-proxy';
import { makeDist, median, ROOT, startS3rverProcess } from './bench-bucket';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const COUNT = arg('count', 2000);
const CHANGED = arg('changed', 10);
const PORT = 4590 + Math.floor(Math.random() * 300);
const ENDPOINT = `http://127.0.0.1:${PORT}`;
const ROUNDS = arg('rounds', 3);
const BUCKETS = ['ours', 'warmup', ...Array.from({ length: ROUNDS }, (_, r) => [0, 1, 2, 3].map((t) => `r${r}-t${t}`)).flat()];

function timed(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const run = spawnSync(command, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${run.stdout}\n${run.stderr}`);
  return (performance.now() - started) / 1000;
}

const has = (path: string) => existsSync(path);

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'sync-bench-'));
  const dist = join(work, 'dist');
  const bytes = await makeDist(dist, COUNT);
  const server = await startS3rverProcess(join(work, 's3'), PORT, BUCKETS);
  const ours = { S3_ENDPOINT: ENDPOINT, R2_ACCESS_KEY_ID: 'S3RVER', R2_SECRET_ACCESS_KEY: 'S3RVER' };
  const gulp = join(ROOT, 'node_modules/.bin/gulp');
  const syncArgs = ['sync', '--dest', dist, '--silent', '--json'];
  const rcloneConf = join(work, 'rclone.conf');
  await writeFile(rcloneConf, `[s3]\ntype = s3\nprovider = Other\nendpoint = ${ENDPOINT}\naccess_key_id = S3RVER\nsecret_access_key = S3RVER\nforce_path_style = true\nregion = us-east-1\n`);
  const awsCfg = join(work, 'aws.cfg');
  await writeFile(awsCfg, '[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n');
  const awsEnv = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_CONFIG_FILE: awsCfg };
  const rclone = (bucket: string, transfers: number, extra: string[] = []) =>
    ['-u', 'AWS_CA_BUNDLE', 'rclone', '--config', rcloneConf, 'sync', join(dist, 'album'), `s3:${bucket}/album`, '--transfers', String(transfers), ...extra];
  const aws = (bucket: string) => ['--endpoint-url', ENDPOINT, 's3', 'sync', join(dist, 'album'), `s3://${bucket}/album`, '--only-show-errors'];
  // Each tool: a cold upload into a fresh bucket, then a no-change rerun. Timed end to end (process start included).
  const tools: { name: string; run: (bucket: string) => [number, number] }[] = [
    { name: 'ours: gulp sync (16 in flight)', run: (b) => [timed(gulp, syncArgs, { ...ours, R2_BUCKET_NAME: b }), timed(gulp, syncArgs, { ...ours, R2_BUCKET_NAME: b })] },
  ];
  if (has('/usr/bin/rclone')) {
    for (const t of [4, 16]) {
      tools.push({ name: `rclone 1.60 sync --transfers ${t} (no-change: --checksum --fast-list)`,
        run: (b) => [timed('/usr/bin/env', rclone(b, t), {}), timed('/usr/bin/env', rclone(b, t, ['--checksum', '--fast-list']), {})] });
    }
  }
  if (has('/usr/bin/aws')) {
    tools.push({ name: 'aws-cli 2.9 s3 sync (10 in flight)', run: (b) => [timed('/usr/bin/aws', aws(b), awsEnv), timed('/usr/bin/aws', aws(b), awsEnv)] });
  }
  const results = new Map<string, [number, number][]>(tools.map((t) => [t.name, []]));
  const rows: string[][] = [];
  try {
    // Warm the server's JIT first, so the first tool measured is not penalised.
    timed(gulp, syncArgs, { ...ours, R2_BUCKET_NAME: 'warmup' });
    for (let round = 0; round < ROUNDS; round += 1) {
      // Rotate the order every round: the server slows as its folder fills, and load on a shared box drifts.
      const order = tools.map((_, i) => tools[(i + round) % tools.length] as (typeof tools)[number]);
      order.forEach((tool) => results.get(tool.name)?.push(tool.run(`r${round}-t${tools.indexOf(tool)}`)));
    }
    for (const tool of tools) {
      const runs = results.get(tool.name) ?? [];
      const cold = median(runs.map((r) => r[0]));
      rows.push([tool.name, cold.toFixed(2), (COUNT / cold).toFixed(0), ((bytes / 1e6) / cold).toFixed(1), median(runs.map((r) => r[1])).toFixed(2)]);
    }

    // Request counts through a counting proxy: no change, then k changed files.
    const proxy = new FaultProxy(ENDPOINT);
    const proxied = { ...ours, S3_ENDPOINT: await proxy.start(), R2_BUCKET_NAME: 'ours' };
    const runProxied = () => new Promise<void>((resolve, reject) => {
      const child = spawn(gulp, syncArgs, { cwd: ROOT, env: { ...process.env, ...proxied }, stdio: 'ignore' });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sync exited ${code}`))));
    });
    await runProxied(); // the first sync of this bucket
    proxy.reset();
    await runProxied();
    const noChange = { ...proxy.counts, total: proxy.total };
    const manifest = JSON.parse(execFileSync('cat', [join(dist, 'images.json')], { encoding: 'utf8' }));
    const keys = Object.values(manifest.sources).slice(0, CHANGED) as { variants: { key: string; md5: string; bytes: number }[] }[];
    for (const source of keys) {
      const v = source.variants[0] as { key: string; md5: string; bytes: number; sha256: string };
      const body = randomBytes(v.bytes);
      await writeFile(join(dist, v.key), body);
      v.md5 = createHash('md5').update(body).digest('hex');
      v.sha256 = createHash('sha256').update(body).digest('hex');
    }
    await writeFile(join(dist, 'images.json'), JSON.stringify(manifest));
    proxy.reset();
    await runProxied();
    const kChanged = { ...proxy.counts, total: proxy.total };
    await proxy.close();

    console.log(`\n${COUNT} objects, ${(bytes / 1e6).toFixed(1)} MB, s3rver in its own process on 127.0.0.1; median of ${ROUNDS} rounds, order rotated each round\n`);
    console.log('| tool | cold upload s | objects/s | MB/s | no-change s |\n|---|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    const budget = Math.ceil(COUNT / 1000) + 2;
    console.log(`\nno-change sync requests: ${JSON.stringify(noChange)} (target ≤ ⌈N/1000⌉ + 2 = ${budget}: ${noChange.total <= budget ? 'PASS' : 'FAIL'})`);
    console.log(`${CHANGED} changed files: ${JSON.stringify(kChanged)} (target: ${CHANGED} PUTs + listing; by design also, per overwritten `
      + 'object, a HEAD (is its content archived?) and an archive copy; per changing sync, PUTs of the image manifest, the state record '
      + '(twice), the release record and the pointer, GETs of the pointer and the previous release, and the writer lock: its PUT, HEAD '
      + 'and DELETE and a HEAD of the state record once it is held)');
  } finally {
    server.kill();
    await rm(work, { recursive: true, force: true });
  }
}

if (require.main === module) main().catch((error: unknown) => { console.error(error); process.exit(1); });
