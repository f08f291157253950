/**
 * What one PUT costs the client in CPU, in one process, against s3rver in its own process: our store's
 * put() (the SDK client until 1c4156f, lib/storage/s3-put-writer.ts since) next to two bare PUTs of the
 * same request (Content-MD5, Content-Type, Cache-Control, metadata, SigV4 over a SHA-256 of the body)
 * signed synchronously and sent with node:http, or with fetch: the floor a lean PUT can reach, which
 * decided the lean writer (bench/README.md, "Scale benchmark"). The bare rows have no retries or deadlines.
 * Usage: node --require esbuild-register bench/put-cpu.ts [count 800] [rounds 3] [concurrency 16]
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createS3Client, type StoreConfig } from '../lib/storage/s3-client';
import { encodeSegment } from '../lib/storage/s3-fetch-reader';
import { S3Store } from '../lib/storage/s3-store';
import { mapPool } from '../lib/util/pool';
import { median, startS3rverProcess } from './bench-bucket';

const [COUNT = 800, ROUNDS = 3, CONCURRENCY = 16] = process.argv.slice(2).map(Number);
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** SigV4 headers for a PUT of `body` with `headers` (lower-case names), all of them signed but cache-control, as the SDK does. */
function signedPut(store: StoreConfig, host: string, path: string, body: Buffer, headers: Record<string, string>): Record<string, string> {
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const scope = `${amzDate.slice(0, 8)}/${store.region}/s3/aws4_request`;
  const all: Record<string, string> = { ...headers, host, 'content-length': String(body.length), 'x-amz-date': amzDate,
    'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') };
  const names = Object.keys(all).filter((n) => n !== 'cache-control').sort();
  const canonical = `PUT\n${path}\n\n${names.map((n) => `${n}:${String(all[n]).trim()}\n`).join('')}\n${names.join(';')}\n${all['x-amz-content-sha256']}`;
  const key = hmac(hmac(hmac(hmac(`AWS4${store.secretAccessKey}`, amzDate.slice(0, 8)), store.region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', key).update(`AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`).digest('hex');
  return { ...all, authorization: `AWS4-HMAC-SHA256 Credential=${store.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}

type Put = (key: string, body: Buffer, md5: string) => Promise<void>;

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'put-cpu-'));
  const port = 4590 + Math.floor(Math.random() * 300);
  const server = await startS3rverProcess(join(work, 's3'), port, ['bench']);
  const store: StoreConfig = { provider: 'local', endpoint: `http://127.0.0.1:${port}`, bucket: 'bench', region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const client = createS3Client(store, {});
  const s3 = new S3Store(client, store);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const headers = (md5: string) => ({ 'content-md5': Buffer.from(md5, 'hex').toString('base64'), 'content-type': 'image/jpeg',
    'cache-control': 'public, max-age=300', 'x-amz-meta-sha256': 'a'.repeat(64), 'x-amz-meta-headers-hash': 'b'.repeat(16) });
  const pathOf = (key: string) => `/bench/${key.split('/').map(encodeSegment).join('/')}`;
  const ways: [string, Put][] = [
    ['our store put() (S3Store; the SDK client until 1c4156f, the lean writer since)', async (key, body, md5) => {
      await s3.put({ key, body, md5, contentType: 'image/jpeg', cacheControl: 'public, max-age=300', metadata: { sha256: 'a'.repeat(64), 'headers-hash': 'b'.repeat(16) } });
    }],
    ['lean: sync SigV4 + node:http (estimate)', (key, body, md5) => new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'PUT', path: pathOf(key), agent, headers: signedPut(store, `127.0.0.1:${port}`, pathOf(key), body, headers(md5)) }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 && res.headers.etag === `"${md5}"` ? resolve() : reject(new Error(`PUT ${key}: ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    })],
    ['lean: sync SigV4 + fetch (estimate)', async (key, body, md5) => {
      const { 'content-length': _length, host: _host, ...sent } = signedPut(store, `127.0.0.1:${port}`, pathOf(key), body, headers(md5));
      const res = await fetch(`${store.endpoint}${pathOf(key)}`, { method: 'PUT', body, headers: sent });
      await res.arrayBuffer();
      if (!res.ok || res.headers.get('etag') !== `"${md5}"`) throw new Error(`PUT ${key}: ${res.status}`);
    }],
  ];
  const bodies = Array.from({ length: COUNT }, (_, i) => randomBytes(20_000 + ((i * 7919) % 100_000)));
  const md5s = bodies.map((b) => createHash('md5').update(b).digest('hex'));
  const cpu = new Map<string, number[]>(ways.map(([name]) => [name, []]));
  const wall = new Map<string, number[]>(ways.map(([name]) => [name, []]));
  try {
    for (let round = -1; round < ROUNDS; round += 1) { // round -1 warms up every path (and the server's JIT)
      for (let w = 0; w < ways.length; w += 1) {
        const [name, put] = ways[(w + Math.max(round, 0)) % ways.length] as [string, Put];
        const before = process.cpuUsage();
        const t0 = performance.now();
        await mapPool(bodies.map((b, i) => i), CONCURRENCY, (i) => put(`r${round}/${name.slice(0, 4)}/album/a${i}/a${i}-medium.jpg`, bodies[i] as Buffer, md5s[i] as string));
        const used = process.cpuUsage(before);
        if (round >= 0) { cpu.get(name)?.push((used.user + used.system) / 1000 / COUNT); wall.get(name)?.push((performance.now() - t0) / 1000); }
      }
    }
    console.log(`\n${COUNT} PUTs of 20–120 KB, ${CONCURRENCY} in flight, one process, s3rver in its own process; median of ${ROUNDS} rounds, order rotated\n`);
    console.log('| PUT path | client CPU ms per PUT (runs) | seconds |\n|---|---|---|');
    for (const [name] of ways) {
      const c = cpu.get(name) ?? [];
      console.log(`| ${name} | ${median(c).toFixed(2)} (${c.map((x) => x.toFixed(2)).join(', ')}) | ${median(wall.get(name) ?? []).toFixed(2)} |`);
    }
  } finally {
    client.destroy();
    agent.destroy();
    server.kill();
    await rm(work, { recursive: true, force: true });
  }
}

if (require.main === module) main().catch((error: unknown) => { console.error(error); process.exit(1); });
