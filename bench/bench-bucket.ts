/** What the sync and verify benchmarks share: a dist/ of random covers with a manifest, and s3rver in its own process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { writeDist } from './release-dist';

export const ROOT = join(__dirname, '..');

/** N random 20–120 KB "covers" (like the site's medium images) and an images.json; returns the bytes written. */
export async function makeDist(dir: string, count: number): Promise<number> {
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i += 1) {
    const slug = `album-${String(i).padStart(5, '0')}`;
    files.set(`album/${slug}/${slug}-medium.jpg`, randomBytes(20_000 + ((i * 7919) % 100_000)));
  }
  await writeDist(dir, files);
  return [...files.values()].reduce((sum, body) => sum + body.length, 0);
}

/** s3rver in its own process on 127.0.0.1, so its CPU is not charged to the tool being measured. */
export async function startS3rverProcess(dataDir: string, port: number, buckets: readonly string[]): Promise<ChildProcess> {
  const server = spawn(process.execPath, ['--openssl-legacy-provider', join(ROOT, 'node_modules/s3rver/bin/s3rver.js'),
    '-d', dataDir, '-a', '127.0.0.1', '-p', String(port), '--silent', ...buckets.flatMap((b) => ['--configure-bucket', b])], { stdio: 'ignore' });
  for (let i = 0; i < 100; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false)) return server;
  }
  server.kill();
  throw new Error(`s3rver did not start on port ${port}`);
}

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
