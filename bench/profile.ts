/**
 * Where a no-change rebuild spends its time: (1) a phase breakdown that replays buildImages' steps with the
 * library's own exported functions (child side), and (2) a self-time summary of a `node --cpu-prof` profile.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { DEFAULT_IMAGE_CONFIG } from '../lib/images/config';
import { manifestPath, readManifest } from '../lib/manifest/io';
import { planBuild } from '../lib/plan/build-plan';
import { stableHash } from '../lib/util/hash';
import { mapPool } from '../lib/util/pool';

/**
 * Replays buildImages (lib/images/build.ts as of commit 62b79ca) for a no-change run, timing each step, with
 * the library's own functions where it exports them. Writes nothing. The CPU profile below it is the
 * authority for the current code; this table shows what each step costs and what the sync alternative costs.
 */
export async function phases(src: string, dest: string, cacheDir: string): Promise<Record<string, number>> {
  const t: Record<string, number> = {};
  let last = performance.now();
  const lap = (name: string): void => { const now = performance.now(); t[name] = (now - last) / 1000; last = now; };
  const { ENCODER_VERSION } = require('../lib/images/sharp-adapter') as typeof import('../lib/images/sharp-adapter');
  const { SourceIndex } = require('../lib/images/source-index') as typeof import('../lib/images/source-index');
  const { scanSources } = require('../lib/images/scan-sources') as typeof import('../lib/images/scan-sources');
  lap('require lib (sharp, gulp)');
  const root = resolve(src);
  const dist = resolve(dest);
  const previous = await readManifest(manifestPath(dist));
  lap('readManifest (JSON.parse)');
  const index = await SourceIndex.load(join(cacheDir, 'source-index.json'));
  lap('SourceIndex.load');
  // Loosely typed: lib/ is being changed while this replay exists; extra arguments are harmless.
  const scanAny = scanSources as unknown as (...a: unknown[]) => Promise<Awaited<ReturnType<typeof scanSources>>>;
  const scan = await scanAny(root, {}, index, DEFAULT_IMAGE_CONFIG, () => true);
  lap('scanSources (listing + stat + index lookups)');
  const checks = Object.values(previous?.sources ?? {}).flatMap((s) => s.variants);
  const present = new Set<string>();
  await mapPool(checks, 32, async (v) => {
    const size = await stat(join(dist, v.key)).then((s) => s.size, () => -1);
    if (size === v.bytes) present.add(`${v.key}\0${v.bytes}`);
  });
  lap(`output stats, async, pool 32 (presentOutputs as of 62b79ca) (${checks.length})`);
  const plan = planBuild({
    candidates: scan.candidates, previous, inScope: () => true, config: DEFAULT_IMAGE_CONFIG, encoderVersion: ENCODER_VERSION,
    noCache: false, present: (key, bytes) => present.has(`${key}\0${bytes}`),
  });
  lap(`planBuild (${plan.build.length} to build)`);
  const next = { ...plan.carried, ...plan.cached };
  const same = previous !== null && stableHash(previous.sources) === stableHash(next);
  lap(`stableHash(previous) vs stableHash(next), as build.ts of 62b79ca did (${same ? 'equal' : 'DIFFERENT'})`);
  // For comparison (not part of the build): the same listing and stats done synchronously.
  const listed = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.jpg'));
  for (const e of listed) statSync(join(e.parentPath, e.name));
  lap(`for comparison: readdirSync(recursive) + statSync of ${listed.length} sources`);
  for (const v of checks) statSync(join(dist, v.key), { throwIfNoEntry: false });
  lap(`for comparison: statSync of ${checks.length} outputs`);
  return t;
}

export interface HotSpot { selfMs: number; share: number; fn: string; where: string }

/** Top self-time functions of the newest .cpuprofile in `dir`, plus self time per file. */
export function summarizeCpuProfile(dir: string, top = 15): { totalMs: number; functions: HotSpot[]; files: HotSpot[] } {
  const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().pop();
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: Node[]; startTime: number; endTime: number; samples: number[] };
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const perSample = totalMs / Math.max(1, profile.samples.length);
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  const repo = resolve(__dirname, '..');
  for (const node of profile.nodes) {
    const ms = (node.hitCount ?? 0) * perSample;
    if (ms === 0) continue;
    const url = node.callFrame.url.replace(/^file:\/\//, '');
    const where = url ? relative(repo, url) : '(native)';
    const fn = `${node.callFrame.functionName || '(anonymous)'}\t${where}:${node.callFrame.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + ms);
    byFile.set(where, (byFile.get(where) ?? 0) + ms);
  }
  const rank = (m: Map<string, number>, split: boolean): HotSpot[] => [...m].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([k, ms]) => ({ selfMs: ms, share: ms / totalMs, fn: split ? k.split('\t')[0] as string : '', where: split ? k.split('\t')[1] as string : k }));
  return { totalMs, functions: rank(byFn, true), files: rank(byFile, false) };
}
