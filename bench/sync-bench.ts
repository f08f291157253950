/**
 * Sync benchmark: our `gulp sync` against rclone and aws-cli on the same files and the same s3rver
 * (its own process, 127.0.0.1), plus request counts for the no-change and k-changed cases.
 * Usage: npm run bench:sync -- [--count 2000] [--changed 10]
 * Needs Debian's rclone and awscli (`apt-get install rclone awscli`); a tool that is missing is skipped.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FaultProxy } from '../test/servers/fault-proxy';

const ROOT = join(__dirname, '..');
const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const COUNT = arg('count', 2000);
const CHANGED = arg('changed', 10);
const PORT = 4590 + Math.floor(Math.random() * 300);
const ENDPOINT = `http://127.0.0.1:${PORT}`;
const BUCKETS = ['ours', 'rclone4', 'rclone16', 'awscli'];

async function makeDist(dir: string): Promise<number> {
  const sources: Record<string, unknown> = {};
  let bytes = 0;
  for (let i = 0; i < COUNT; i += 1) {
    const slug = `album-${String(i).padStart(5, '0')}`;
    const key = `album/${slug}/${slug}-medium.jpg`;
    const body = randomBytes(20_000 + ((i * 7919) % 100_000)); // 20–120 KB, like the site's covers
    bytes += body.length;
    await mkdir(dirname(join(dir, key)), { recursive: true });
    await writeFile(join(dir, key), body);
    sources[`album/${slug}/${slug}-hi-res.jpg`] = { type: 'album', slug, bytes: 1, sha256: 'x', width: 1, height: 1, variants: [{
      size: 'medium', format: 'jpeg', key, width: 800, height: 800, bytes: body.length, contentType: 'image/jpeg',
      md5: createHash('md5').update(body).digest('hex'), sha256: createHash('sha256').update(body).digest('hex'), cacheKey: 'x' }] };
  }
  await writeFile(join(dir, 'images.json'), JSON.stringify({ schema: 1, encoder: 'bench', updatedAt: '', sources }));
  return bytes;
}

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
  const bytes = await makeDist(dist);
  const server = spawn(process.execPath, ['--openssl-legacy-provider', join(ROOT, 'node_modules/s3rver/bin/s3rver.js'),
    '-d', join(work, 's3'), '-a', '127.0.0.1', '-p', String(PORT), '--silent', ...BUCKETS.flatMap((b) => ['--configure-bucket', b])], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const ours = { S3_ENDPOINT: ENDPOINT, R2_ACCESS_KEY_ID: 'S3RVER', R2_SECRET_ACCESS_KEY: 'S3RVER' };
  const gulp = join(ROOT, 'node_modules/.bin/gulp');
  const syncArgs = ['sync', '--dest', dist, '--silent', '--json'];
  const rows: string[][] = [];
  const row = (tool: string, cold: number, noChange: number) =>
    rows.push([tool, cold.toFixed(2), (COUNT / cold).toFixed(0), ((bytes / 1e6) / cold).toFixed(1), noChange.toFixed(2)]);
  try {
    const cold = timed(gulp, syncArgs, { ...ours, R2_BUCKET_NAME: 'ours' });
    const again = timed(gulp, syncArgs, { ...ours, R2_BUCKET_NAME: 'ours' });
    row('ours: gulp sync (16 in flight)', cold, again);

    const rcloneConf = join(work, 'rclone.conf');
    await writeFile(rcloneConf, `[s3]\ntype = s3\nprovider = Other\nendpoint = ${ENDPOINT}\naccess_key_id = S3RVER\nsecret_access_key = S3RVER\nforce_path_style = true\nregion = us-east-1\n`);
    const rcloneEnv = { AWS_CA_BUNDLE: '' };
    if (has('/usr/bin/rclone')) {
      for (const transfers of [4, 16]) {
        const bucket = `rclone${transfers}`;
        const base = ['--config', rcloneConf, 'sync', join(dist, 'album'), `s3:${bucket}/album`, '--transfers', String(transfers)];
        const c = timed('/usr/bin/env', ['-u', 'AWS_CA_BUNDLE', 'rclone', ...base], rcloneEnv);
        const n = timed('/usr/bin/env', ['-u', 'AWS_CA_BUNDLE', 'rclone', ...base, '--checksum', '--fast-list'], rcloneEnv);
        row(`rclone 1.60 sync --transfers ${transfers} (no-change: --checksum --fast-list)`, c, n);
      }
    }
    if (has('/usr/bin/aws')) {
      const cfg = join(work, 'aws.cfg');
      await writeFile(cfg, '[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n');
      const awsEnv = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_CONFIG_FILE: cfg };
      const base = ['--endpoint-url', ENDPOINT, 's3', 'sync', join(dist, 'album'), 's3://awscli/album', '--only-show-errors'];
      row('aws-cli 2.9 s3 sync (10 in flight)', timed('/usr/bin/aws', base, awsEnv), timed('/usr/bin/aws', base, awsEnv));
    }

    // Request counts through a counting proxy: no change, then k changed files.
    const proxy = new FaultProxy(ENDPOINT);
    const proxied = { ...ours, S3_ENDPOINT: await proxy.start(), R2_BUCKET_NAME: 'ours' };
    const runProxied = () => new Promise<void>((resolve, reject) => {
      const child = spawn(gulp, syncArgs, { cwd: ROOT, env: { ...process.env, ...proxied }, stdio: 'ignore' });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sync exited ${code}`))));
    });
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

    console.log(`\n${COUNT} objects, ${(bytes / 1e6).toFixed(1)} MB, s3rver in its own process on 127.0.0.1\n`);
    console.log('| tool | cold upload s | objects/s | MB/s | no-change s |\n|---|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    const budget = Math.ceil(COUNT / 1000) + 2;
    console.log(`\nno-change sync requests: ${JSON.stringify(noChange)} (target ≤ ⌈N/1000⌉ + 2 = ${budget}: ${noChange.total <= budget ? 'PASS' : 'FAIL'})`);
    console.log(`${CHANGED} changed files: ${JSON.stringify(kChanged)} (target: ${CHANGED} PUTs + listing; the extra PUT is the state record)`);
  } finally {
    server.kill();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => { console.error(error); process.exit(1); });
