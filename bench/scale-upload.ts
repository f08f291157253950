/**
 * Scale benchmark, parts c and d. c: a cold upload through a link with added latency (bench/delay-proxy.ts
 * in front of s3rver), ours vs rclone vs aws-cli at the same number of requests in flight, rounds
 * interleaved, medians. d: the client CPU each tool spends uploading the same new objects straight to
 * s3rver, and what is left of it per object once a no-change rerun (start-up + listing) is taken off.
 */
import { join } from 'node:path';
import { makeDist, median } from './bench-bucket';
import type { Counts } from './delay-proxy';
import { gulpCommand, hasAws, hasRclone, timedRun, type Command, type Timed } from './peer-tools';
import type { ScaleContext, Verdict } from './scale-bench';

export const UPLOAD_TARGET = 0.95;

interface Tool { name: string; command: (endpoint: string, remote: string, bucket: string, concurrency: number) => Command }

function toolsFor(ctx: ScaleContext, dist: string): Tool[] {
  const tools: Tool[] = [{ name: 'ours: `gulp sync --concurrency C`',
    command: (e, _, b, c) => gulpCommand(e, b, ['sync', '--dest', dist, '--silent', '--json', '--concurrency', String(c)]) }];
  if (hasRclone()) {
    tools.push({ name: 'rclone 1.60 `sync --transfers C --checkers C`',
      command: (_, r, b, c) => ctx.peers.rclone(['sync', join(dist, 'album'), `${r}:${b}/album`, '--transfers', String(c), '--checkers', String(c)]) });
  }
  if (hasAws()) {
    tools.push({ name: 'aws-cli 2.9 `s3 sync` (max_concurrent_requests C)',
      command: (e, _, b, c) => ctx.peers.aws(e, ['s3', 'sync', join(dist, 'album'), `s3://${b}/album`, '--only-show-errors'], c) });
  }
  return tools;
}

export const uploadBuckets = (rounds: number, concurrencies: readonly number[]): string[] => ['warmup', ...Array.from({ length: rounds }, (_, r) => [
  ...concurrencies.flatMap((c) => [0, 1, 2].map((t) => `up-r${r}-c${c}-t${t}`)), ...[0, 1, 2].map((t) => `cpu-r${r}-t${t}`)]).flat()];

const kinds = (c: Counts) => `PUT ${c.put} · HEAD ${c.head} · LIST ${c.list} · GET ${c.get}${c.delete ? ` · DELETE ${c.delete}` : ''}${c.other ? ` · other ${c.other}` : ''}`;

export async function coldUpload(ctx: ScaleContext): Promise<{ lines: string[]; verdicts: Verdict[] }> {
  const dist = join(ctx.work, 'upload-dist');
  const bytes = await makeDist(dist, ctx.uploadCount);
  const tools = toolsFor(ctx, dist);
  await timedRun(tools[0]!.command(ctx.delayed.endpoint, 'delayed', 'warmup', 16)); // the server's JIT, not measured
  await ctx.delayed.take();
  const runs = new Map<string, Timed[]>();
  const requests = new Map<string, Counts>();
  for (let round = 0; round < ctx.rounds; round += 1) {
    for (const [ci, c] of ctx.concurrencies.entries()) {
      ctx.log(`cold upload round ${round + 1}/${ctx.rounds}, ${c} in flight…`);
      for (let i = 0; i < tools.length; i += 1) {
        const t = (i + round + ci) % tools.length;
        const tool = tools[t] as Tool;
        const run = await timedRun(tool.command(ctx.delayed.endpoint, 'delayed', `up-r${round}-c${c}-t${t}`, c));
        const id = `${tool.name}|${c}`;
        runs.set(id, [...(runs.get(id) ?? []), run]);
        const counted = await ctx.delayed.take();
        if (!requests.has(id)) requests.set(id, counted);
      }
    }
  }
  const lines = [
    `### c. Cold upload over a link with ${ctx.delayMs} ms added per request: ${ctx.uploadCount} objects (${(bytes / 1e6).toFixed(1)} MB, 20–120 KB each)`,
    '',
    `Each run into a fresh bucket on s3rver (its own process) through bench/delay-proxy.ts (its own process); wall time spawn to exit, start-up included; median of ${ctx.rounds} rounds, order rotated each round; requests of round 1. Ours also writes its records (manifest, state record, release record, pointer, writer lock).`,
    '',
    '| in flight | tool | seconds (runs) | objects/s | MB/s | CPU s | requests (round 1) | vs best other |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const verdicts: Verdict[] = [];
  for (const c of ctx.concurrencies) {
    const rate = (tool: Tool) => ctx.uploadCount / median((runs.get(`${tool.name}|${c}`) ?? []).map((r) => r.seconds));
    const best = Math.max(...tools.slice(1).map(rate));
    for (const tool of tools) {
      const all = runs.get(`${tool.name}|${c}`) ?? [];
      const s = median(all.map((r) => r.seconds));
      lines.push(`| ${c} | ${tool.name.replace(/\bC\b/g, String(c))} | ${s.toFixed(2)} (${all.map((r) => r.seconds.toFixed(2)).join(', ')}) | ${rate(tool).toFixed(0)} `
        + `| ${(bytes / 1e6 / s).toFixed(1)} | ${median(all.map((r) => r.cpuSeconds)).toFixed(2)} | ${kinds(requests.get(`${tool.name}|${c}`) as Counts)} | ${(rate(tool) / best).toFixed(2)}× |`);
    }
    const ratio = rate(tools[0] as Tool) / best;
    verdicts.push({ target: `cold upload, ${c} in flight, +${ctx.delayMs} ms per request: ours ≥ ${UPLOAD_TARGET}× the best of rclone and aws-cli`,
      result: `${ratio.toFixed(3)}× (${rate(tools[0] as Tool).toFixed(1)} vs ${best.toFixed(1)} objects/s)`, verdict: ratio >= UPLOAD_TARGET ? 'PASS' : 'FAIL' });
  }
  return { lines, verdicts };
}

export async function uploadCpu(ctx: ScaleContext): Promise<{ lines: string[] }> {
  const dist = join(ctx.work, 'cpu-dist');
  await makeDist(dist, ctx.cpuCount);
  const tools = toolsFor(ctx, dist);
  const cold = new Map<string, Timed[]>();
  const again = new Map<string, Timed[]>();
  for (let round = 0; round < ctx.rounds; round += 1) {
    ctx.log(`client CPU round ${round + 1}/${ctx.rounds}…`);
    for (let i = 0; i < tools.length; i += 1) {
      const t = (i + round) % tools.length;
      const tool = tools[t] as Tool;
      const bucket = `cpu-r${round}-t${t}`;
      cold.set(tool.name, [...(cold.get(tool.name) ?? []), await timedRun(tool.command(ctx.endpoint, 'direct', bucket, 16))]);
      // The no-change rerun: start-up + listing (+ local MD5 for rclone's --checksum); rclone without it would HEAD every object.
      const rerun = tool.command(ctx.endpoint, 'direct', bucket, 16);
      const baseline = tool.name.startsWith('rclone') ? { ...rerun, args: [...rerun.args, '--checksum', '--fast-list'] } : rerun;
      again.set(tool.name, [...(again.get(tool.name) ?? []), await timedRun(baseline)]);
    }
  }
  const n = ctx.cpuCount;
  const lines = [
    `### d. Client CPU per uploaded object: ${n} new objects straight to s3rver, 16 in flight`,
    '',
    `/usr/bin/time of each tool's process (children included), median of ${ctx.rounds} rounds; "no-change rerun" is the same command again on the synced bucket (start-up + listing; rclone with \`--checksum --fast-list\`); "per object" = (cold − no-change) / ${n}.`,
    '',
    '| tool | cold: user s | sys s | user + sys s | ms per object (all) | no-change rerun: user + sys s | ms per object (less the rerun) | peak RSS MB |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const tool of tools) {
    const c = cold.get(tool.name) ?? [];
    const total = median(c.map((r) => r.cpuSeconds));
    const base = median((again.get(tool.name) ?? []).map((r) => r.cpuSeconds));
    lines.push(`| ${tool.name.replace(/\bC\b/g, '16')} | ${median(c.map((r) => r.userSeconds)).toFixed(2)} | ${median(c.map((r) => r.systemSeconds)).toFixed(2)} `
      + `| ${total.toFixed(2)} | ${((total / n) * 1000).toFixed(2)} | ${base.toFixed(2)} | ${(((total - base) / n) * 1000).toFixed(2)} | ${median(c.map((r) => r.peakRssMB)).toFixed(0)} |`);
  }
  return { lines };
}
