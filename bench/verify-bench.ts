/**
 * Verify benchmark: fast verify of N objects (requests counted through a proxy, wall time end to end
 * and as a library call, next to the bare listing) and deep verify next to the server's plain read
 * throughput, all in one run against s3rver in its own process.
 * Usage: npm run bench:verify -- [--count 12666] [--rounds 3] [--concurrency 16] [--server s3rver|ceph]
 * `--server ceph` uses a running Ceph radosgw (scripts/ceph-rgw.sh start) instead of starting s3rver.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3Client, ensureBucket } from '../lib/storage/s3-client';
import { createObjectReader, signGet } from '../lib/storage/s3-fetch-reader';
import { S3Store } from '../lib/storage/s3-store';
import type { ImageManifest } from '../lib/manifest/types';
import { mapPool } from '../lib/util/pool';
import { runVerify, isClean } from '../lib/verify/run-verify';
import { FaultProxy } from '../test/servers/fault-proxy';
import { makeDist, median, ROOT, startS3rverProcess } from './bench-bucket';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const COUNT = arg('count', 12_666);
const ROUNDS = arg('rounds', 3);
const CONCURRENCY = arg('concurrency', 16);
const CEPH = process.argv.includes('ceph');
const PORT = 4590 + Math.floor(Math.random() * 300);
const ENDPOINT = CEPH ? (process.env.CEPH_S3_ENDPOINT ?? 'http://127.0.0.1:7480') : `http://127.0.0.1:${PORT}`;
const BUCKET = CEPH ? `bench-${Date.now()}` : 'bench';
const signingKeys = new Map<string, Buffer>();
const KEY = CEPH ? { id: 'TESTKEY', secret: 'TESTSECRET' } : { id: 'S3RVER', secret: 'S3RVER' };
const GULP = join(ROOT, 'node_modules/.bin/gulp');
const CACHE = 'public, max-age=300'; // development's Cache-Control: what `gulp sync` wrote

function gulp(args: string[], endpoint = ENDPOINT): Promise<{ seconds: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(GULP, args, { cwd: ROOT, env: { ...process.env, S3_ENDPOINT: endpoint, R2_BUCKET_NAME: BUCKET, R2_ACCESS_KEY_ID: KEY.id, R2_SECRET_ACCESS_KEY: KEY.secret } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.on('exit', (code) => (code === 0 ? resolve({ seconds: (performance.now() - started) / 1000, stdout }) : reject(new Error(`gulp ${args.join(' ')} exited ${code}\n${stdout}`))));
  });
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'verify-bench-'));
  const dist = join(work, 'dist');
  const bytes = await makeDist(dist, COUNT);
  const server = CEPH ? undefined : await startS3rverProcess(join(work, 's3'), PORT, [BUCKET]);
  const config = { provider: CEPH ? 's3' as const : 'local' as const, endpoint: ENDPOINT, bucket: BUCKET, region: 'us-east-1', accessKeyId: KEY.id, secretAccessKey: KEY.secret };
  const client = createS3Client(config, {});
  if (CEPH) await ensureBucket(client, BUCKET);
  const store = new S3Store(client, config, { reader: createObjectReader(config) });
  try {
    process.stderr.write(`uploading ${COUNT} objects…\n`);
    await gulp(['sync', '--dest', dist, '--silent', '--json']);
    const manifest = JSON.parse(await readFile(join(dist, 'images.json'), 'utf8')) as ImageManifest;
    const keys = Object.values(manifest.sources).flatMap((s) => s.variants.map((v) => v.key));
    const options = { manifest, cacheControl: CACHE, scope: {}, deep: false, concurrency: CONCURRENCY, quiet: true };

    const proxy = new FaultProxy(ENDPOINT);
    const proxied = await proxy.start();
    const counted = JSON.parse((await gulp(['verify', '--dest', dist, '--silent', '--json'], proxied)).stdout.trim().split('\n').pop() ?? '{}');
    const requests = { ...proxy.counts, total: proxy.total };
    await proxy.close();
    if (!counted.ok) throw new Error('the bench bucket does not verify clean');

    // Unsigned GETs need a public bucket: s3rver serves anyone; on Ceph the plain loop signs with the
    // same one-line SigV4 the store uses, so "plain" is then the transport without our verify logic.
    const plainRead = async () => mapPool(keys, CONCURRENCY, async (key) => {
      const path = `/${BUCKET}/${key}`;
      const answer = await fetch(`${ENDPOINT}${path}`, CEPH ? { headers: signGet(config, new URL(ENDPOINT).host, path, new Date(), signingKeys) } : {});
      for await (const chunk of answer.body ?? []) void chunk;
    });
    type Step = 'list' | 'fastLib' | 'fastCli' | 'plain' | 'sdkPlain' | 'deep';
    const timings: Record<Step, number[]> = { list: [], fastLib: [], fastCli: [], plain: [], sdkPlain: [], deep: [] };
    const cpu: Record<Step, number[]> = { list: [], fastLib: [], fastCli: [], plain: [], sdkPlain: [], deep: [] };
    const steps: [Step, () => Promise<unknown>][] = [
      ['list', async () => { for await (const page of store.list()) void page; }],
      ['fastLib', async () => { if (!isClean(await runVerify(store, options))) throw new Error('not clean'); }],
      ['plain', plainRead],
      ['sdkPlain', async () => mapPool(keys, CONCURRENCY, async (key) => { for await (const chunk of (await store.get(key)).body) void chunk; })],
      ['deep', async () => { if (!isClean(await runVerify(store, { ...options, deep: true }))) throw new Error('not clean'); }],
    ];
    for (let round = 0; round < ROUNDS; round += 1) {
      process.stderr.write(`round ${round + 1}/${ROUNDS}…\n`);
      for (let i = 0; i < steps.length; i += 1) {
        const [name, fn] = steps[(i + round) % steps.length] as (typeof steps)[number];
        const before = process.cpuUsage();
        timings[name].push(await timeIt(fn));
        const used = process.cpuUsage(before);
        cpu[name].push((used.user + used.system) / 1e6);
      }
      timings.fastCli.push((await gulp(['verify', '--dest', dist, '--silent', '--json'])).seconds);
    }
    const m = Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, median(v)])) as Record<Step, number>;
    const mb = bytes / 1e6;
    const c = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v.length ? median(v) : NaN])) as Record<Step, number>;
    const row = (name: string, s: number, reads = false, step?: Step) =>
      `| ${name} | ${s.toFixed(2)} | ${(COUNT / s).toFixed(0)} | ${reads ? (mb / s).toFixed(1) : '—'} | ${step && Number.isFinite(c[step]) ? c[step].toFixed(2) : '—'} |`;
    const where = CEPH ? `Ceph radosgw at ${ENDPOINT}` : 's3rver in its own process on 127.0.0.1';
    console.log(`\n${COUNT} objects, ${mb.toFixed(1)} MB, ${where}; concurrency ${CONCURRENCY}; median of ${ROUNDS} rounds, order rotated\n`);
    console.log('| step | seconds | objects/s | MB/s | client CPU s |\n|---|---|---|---|---|');
    console.log(row('bare listing (ListObjectsV2 pages, no judgement)', m.list, false, 'list'));
    console.log(row('fast verify, library call', m.fastLib, false, 'fastLib'));
    console.log(row('fast verify, `gulp verify` end to end (process start-up included)', m.fastCli));
    console.log(row('server read throughput: plain unsigned GETs (fetch), bodies drained, no hashing', m.plain, true, 'plain'));
    console.log(row('the same reads through our store (signed GETs), no hashing', m.sdkPlain, true, 'sdkPlain'));
    console.log(row('deep verify (listing + GET + SHA-256 of every object)', m.deep, true, 'deep'));
    const budget = Math.ceil(COUNT / 1000);
    console.log(`\nfast verify requests: ${JSON.stringify(requests)} (target ⌈N/1000⌉ = ${budget} list pages + 0 HEADs for single-part objects; +1 GET of the sync state record)`);
    console.log(`fast verify < 2 s: library ${m.fastLib.toFixed(2)} s, end to end ${m.fastCli.toFixed(2)} s: ${m.fastCli < 2 ? 'PASS' : m.fastLib < 2 ? 'PASS for the library call only' : 'FAIL'}`);
    const ratio = m.plain / m.deep;
    console.log(`deep verify = ${ratio.toFixed(2)} × the server's plain read throughput (target ≥ 0.8): ${ratio >= 0.8 ? 'PASS' : 'FAIL'}`);
  } finally {
    if (CEPH) { // memstore keeps data in RAM: give it back
      const keys: string[] = [];
      for await (const page of store.list()) keys.push(...page.map((o) => o.key));
      await store.deleteMany(keys).catch(() => undefined);
    }
    client.destroy();
    server?.kill();
    await rm(work, { recursive: true, force: true });
  }
}

if (require.main === module) main().catch((error: unknown) => { console.error(error); process.exit(1); });
