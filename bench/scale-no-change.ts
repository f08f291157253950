/**
 * Scale benchmark, part b: a no-change sync and a fast verify of the part-a bucket (plus objects the tool
 * did not make, as the site's og-image.png cards are), next to rclone's equivalents on the same bucket:
 * `rclone copy --checksum --fast-list` (copy, not sync: sync would delete the unmanaged objects and the
 * tool's records) and `rclone check --one-way --fast-list` (size + MD5 against the listing, like fast
 * verify). Requests counted through the counting proxy; wall time direct, rounds interleaved, medians.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createS3Client } from '../lib/storage/s3-client';
import { S3Store } from '../lib/storage/s3-store';
import { mapPool } from '../lib/util/pool';
import { median } from './bench-bucket';
import type { Counts } from './delay-proxy';
import { gulpCommand, hasRclone, timedRun, type Command, type Timed } from './peer-tools';
import type { ScaleContext, Verdict } from './scale-bench';
import type { BuiltBucket } from './scale-build-sync';

const ONLY_IMAGES = ['--include', '/album/**', '--include', '/artist/**'];

/** `count` objects the tool did not make, beside the covers: what `generate-og-images.mjs` adds today. */
async function addUnmanaged(ctx: ScaleContext, bucket: string, count: number): Promise<void> {
  const config = { provider: 'local' as const, endpoint: ctx.endpoint, bucket, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const client = createS3Client(config, {});
  const store = new S3Store(client, config);
  try {
    await mapPool(Array.from({ length: count }, (_, i) => i), 16, async (i) => {
      const body = randomBytes(30_000);
      await store.put({ key: `album/og-${String(i).padStart(5, '0')}/og-image.png`, body, md5: createHash('md5').update(body).digest('hex'),
        contentType: 'image/png', cacheControl: 'public, max-age=300', metadata: {} });
    });
    let listed = 0;
    for await (const page of store.list()) listed += page.length;
    ctx.listed = listed;
  } finally {
    client.destroy();
  }
}

type Step = { name: string; command: (endpoint: string, remote: string) => Command; ok?: (run: Timed) => void };

export async function noChangeAtScale(ctx: ScaleContext, built: BuiltBucket): Promise<{ lines: string[]; verdicts: Verdict[] }> {
  ctx.log(`adding ${ctx.unmanaged} unmanaged objects…`);
  await addUnmanaged(ctx, built.bucket, ctx.unmanaged);
  const gulpArgs = (task: string) => [task, '--dest', built.dist, '--silent', '--json'];
  const steps: Step[] = [
    { name: 'ours: `gulp sync` (no change)', command: (e) => gulpCommand(e, built.bucket, gulpArgs('sync')) },
    { name: 'ours: `gulp verify` (fast)', command: (e) => gulpCommand(e, built.bucket, gulpArgs('verify')),
      ok: (run) => { if (!JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}').ok) throw new Error('fast verify is not clean'); } },
  ];
  if (hasRclone()) {
    steps.push(
      { name: 'rclone 1.60 `copy --checksum --fast-list` (no change)', command: (_, r) => ctx.peers.rclone(['copy', built.dist, `${r}:${built.bucket}`, '--checksum', '--fast-list', ...ONLY_IMAGES]) },
      { name: 'rclone 1.60 `check --one-way --fast-list` (size + MD5)', command: (_, r) => ctx.peers.rclone(['check', built.dist, `${r}:${built.bucket}`, '--one-way', '--fast-list', ...ONLY_IMAGES]) },
    );
  }
  // Requests: each step once through the counting proxy (no delay).
  const requests = new Map<string, Counts>();
  for (const step of steps) {
    ctx.log(`counting requests: ${step.name}…`);
    const run = await timedRun(step.command(ctx.counting.endpoint, 'counted'));
    step.ok?.(run);
    requests.set(step.name, await ctx.counting.take());
  }
  const runs = new Map<string, Timed[]>(steps.map((s) => [s.name, []]));
  for (let round = 0; round < ctx.rounds; round += 1) {
    ctx.log(`no-change round ${round + 1}/${ctx.rounds}…`);
    for (let i = 0; i < steps.length; i += 1) {
      const step = steps[(i + round) % steps.length] as Step;
      const run = await timedRun(step.command(ctx.endpoint, 'direct'));
      step.ok?.(run);
      runs.get(step.name)?.push(run);
    }
  }
  const N = ctx.listed;
  const budget = Math.ceil(N / 1000) + 2;
  const kinds = (c: Counts) => `LIST ${c.list} · HEAD ${c.head} · GET ${c.get} · PUT ${c.put} · COPY ${c.copy} · DELETE ${c.delete}${c.other ? ` · other ${c.other}` : ''}`;
  const secs = (name: string) => median((runs.get(name) ?? []).map((r) => r.seconds));
  const lines = [
    `### b. No change at scale: ${N} objects listed in scope (${built.objects} managed + ${ctx.unmanaged} unmanaged + the tool's records)`,
    '',
    `Wall time spawn to exit (start-up included) straight to s3rver, median of ${ctx.rounds} rounds, order rotated; requests from one more run of each through the counting proxy. Budget ⌈N/1000⌉ + 2 = ${budget}.`,
    '',
    '| step | seconds (runs) | CPU s (user + sys) | peak RSS MB | requests | total |',
    '|---|---|---|---|---|---|',
    ...steps.map((s) => {
      const all = runs.get(s.name) ?? [];
      const c = requests.get(s.name) as Counts;
      return `| ${s.name} | ${secs(s.name).toFixed(2)} (${all.map((r) => r.seconds.toFixed(2)).join(', ')}) | ${median(all.map((r) => r.cpuSeconds)).toFixed(2)} `
        + `| ${median(all.map((r) => r.peakRssMB)).toFixed(0)} | ${kinds(c)} | ${c.total} |`;
    }),
  ];
  const sync = requests.get(steps[0]!.name) as Counts;
  const verify = requests.get(steps[1]!.name) as Counts;
  const peer = (i: number) => (steps[i] ? ` (rclone ${secs(steps[i].name).toFixed(2)} s: ours ${(secs(steps[i].name) / secs(steps[i - 2]!.name)).toFixed(2)}× as fast)` : '');
  const verdicts: Verdict[] = [
    { target: `no-change sync of N = ${N}: requests ≤ ⌈N/1000⌉ + 2 = ${budget}`, result: `${sync.total} (${kinds(sync)}); ${secs(steps[0]!.name).toFixed(2)} s${peer(2)}`, verdict: sync.total <= budget ? 'PASS' : 'FAIL' },
    { target: `fast verify of N = ${N}: requests ≤ ${budget}`, result: `${verify.total} (${kinds(verify)}); ${secs(steps[1]!.name).toFixed(2)} s${peer(3)}`, verdict: verify.total <= budget ? 'PASS' : 'FAIL' },
  ];
  return { lines, verdicts };
}
