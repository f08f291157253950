import { expect } from 'chai';
import fc from 'fast-check';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildSummary } from '../../lib/images/build';
import { readRemoteBuildCache } from '../../lib/releases/remote-build-cache';
import { sha256Of } from '../../lib/util/hash';
import { listFiles, readManifestOf, runBuild } from '../helpers/build';
import { solidImage, type Rgb } from '../helpers/fixtures';
import { albumSource, artistSource } from '../helpers/paths';
import { makeWorkspace, removeTmp, writeAt, type Workspace } from '../helpers/tmp';
import { SyncHarness } from '../support/sync-harness';

/**
 * Generated histories of the remote build cache (`gulp build --env`, issue [10/10]) on one s3rver bucket:
 * sources edited (added, changed, removed among a few tiny slugs), builds offline or with the bucket's
 * latest release as the remote cache, dist (or only its images.json) and/or the render cache wiped (a fresh
 * runner), `sync --delete`.
 * Invariants:
 *   1. after every sync, the bucket's image objects (the tool's `_` records aside) are byte for byte what
 *      a from-scratch build (--no-cache, separate folders) of the sources of the build synced gives;
 *   2. a build with the remote cache renders (summary `built`) no more sources than changed since the last
 *      sync (added, or with other bytes than the bucket's release was built from);
 *   3. after every build, the marks are on exactly the outputs dist lacks: each output the manifest does not
 *      mark remote is in dist with the manifest's SHA-256, none it marks is; and every build fails nothing.
 * REMOTE_CACHE_RUNS scales it (default 20); REMOTE_CACHE_SEED / REMOTE_CACHE_PATH replay a failure.
 */
const RUNS = Number(process.env.REMOTE_CACHE_RUNS ?? 20);
const REPLAY = process.env.REMOTE_CACHE_SEED ? { seed: Number(process.env.REMOTE_CACHE_SEED), path: process.env.REMOTE_CACHE_PATH } : undefined;

const SOURCES = [albumSource('a'), albumSource('b'), albumSource('c'), artistSource('r')] as const;
type Rel = (typeof SOURCES)[number];
const PALETTE: readonly Rgb[] = [[200, 30, 30], [30, 200, 30], [30, 30, 200], [240, 240, 240], [20, 20, 20]];
const SIDE = 64;

type Step =
  | { kind: 'set'; rel: Rel; colour: number }
  | { kind: 'remove'; rel: Rel }
  | { kind: 'build'; remote: boolean }
  | { kind: 'wipe'; dist: 'keep' | 'manifest' | 'all'; cache: boolean }
  | { kind: 'sync' };

const rel = fc.constantFrom(...SOURCES);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), rel, colour: fc.nat(PALETTE.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), rel }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('build' as const), remote: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wipe' as const), dist: fc.constantFrom('keep' as const, 'manifest' as const, 'all' as const), cache: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('sync' as const) }) },
);
const history: fc.Arbitrary<History> = fc.record({
  initial: fc.dictionary(rel, fc.nat(PALETTE.length - 1), { minKeys: 1 }),
  steps: fc.array(step, { minLength: 3, maxLength: 12 }),
});

type History = { initial: Partial<Record<Rel, number>>; steps: Step[] };

type Sources = ReadonlyMap<string, number>;
const describeSources = (s: Sources): string => [...s].sort(([a], [b]) => a.localeCompare(b)).map(([r, c]) => `${r}=${c}`).join(',');

/** From-scratch builds (--no-cache, their own folders), by the sources they were given. */
class Reference {
  private readonly built = new Map<string, Map<string, string>>();
  async outputs(sources: Sources): Promise<Map<string, string>> {
    const id = describeSources(sources);
    const known = this.built.get(id);
    if (known) return known;
    const ws = await makeWorkspace('rcache-ref');
    try {
      for (const [r, c] of sources) await writeAt(ws.src, r, await solidImage(SIDE, SIDE, PALETTE[c] as Rgb));
      const summary = await runBuild(ws, { noCache: true, allowEmpty: true });
      expect(summary.failed).to.equal(0);
      const out = new Map<string, string>();
      for (const key of await listFiles(ws.dest)) out.set(key, sha256Of(await readFile(join(ws.dest, key))));
      this.built.set(id, out);
      return out;
    } finally {
      await removeTmp(ws.root);
    }
  }
}

class World {
  readonly src = new Map<string, number>();
  /** The sources of the runner's last build (what its dist/images.json describes); null: no build since dist was wiped. */
  built: Sources | null = null;
  /** The sources the bucket's images were built from (at the last sync); empty before the first. */
  synced: Sources = new Map();
  readonly log: string[] = [];
  private constructor(readonly h: SyncHarness, readonly ws: Workspace, private readonly reference: Reference) {}

  static async start(reference: Reference): Promise<World> {
    const h = await SyncHarness.start('s3rver');
    const ws = await makeWorkspace('rcache-prop');
    h.dist = ws.dest;
    return new World(h, ws, reference);
  }

  async close(): Promise<void> {
    await this.h.close();
    await removeTmp(this.ws.root);
  }

  async apply(s: Step): Promise<void> {
    this.log.push(JSON.stringify(s));
    switch (s.kind) {
      case 'set':
        this.src.set(s.rel, s.colour);
        await writeAt(this.ws.src, s.rel, await solidImage(SIDE, SIDE, PALETTE[s.colour] as Rgb));
        return;
      case 'remove':
        if (this.src.size <= 1 || !this.src.has(s.rel)) return; // a build refuses to empty the collection
        this.src.delete(s.rel);
        await rm(join(this.ws.src, s.rel));
        return;
      case 'wipe':
        // `manifest`: dist's images.json deleted, its outputs left (the build then plans from the cache's copy, else the bucket's release).
        if (s.dist === 'all') await rm(this.ws.dest, { recursive: true, force: true });
        if (s.dist === 'manifest') await rm(join(this.ws.dest, 'images.json'), { force: true });
        if (s.dist !== 'keep') this.built = null;
        if (s.cache) await rm(this.ws.cache, { recursive: true, force: true });
        return;
      case 'build': return this.build(s.remote);
      case 'sync': return this.sync();
    }
  }

  private async build(withRemote: boolean): Promise<void> {
    let remote: { release: string; manifest: import('../../lib/manifest/types').ImageManifest } | undefined;
    if (withRemote) {
      const cache = await readRemoteBuildCache(this.h.store);
      if (!('none' in cache)) remote = cache;
    }
    const summary: BuildSummary = await runBuild(this.ws, { remote });
    expect(summary.failed, 'a build failed').to.equal(0);
    if (remote) {
      const changed = [...this.src].filter(([r, c]) => this.synced.get(r) !== c).length;
      expect(summary.built, `a build with the remote cache rendered ${summary.built} sources, ${changed} changed since the last sync`).to.be.at.most(changed);
    }
    this.built = new Map(this.src);
    // The marks are on exactly the outputs dist lacks: dist holds, byte for byte, every output the manifest
    // does not mark remote, and none it marks (a mark left on bytes in dist would send a sync to the bucket for nothing).
    const manifest = await readManifestOf(this.ws);
    for (const source of Object.values(manifest.sources)) {
      for (const v of source.variants) {
        const bytes = await readFile(join(this.ws.dest, v.key)).catch(() => null);
        const held = bytes !== null && sha256Of(bytes) === v.sha256;
        if (v.remote === undefined) expect(held, `${v.key}: not marked remote, yet dist does not hold the manifest's bytes`).to.equal(true);
        else expect(held, `${v.key}: marked remote (${v.remote}), yet dist holds its bytes`).to.equal(false);
      }
    }
  }

  private async sync(): Promise<void> {
    if (this.built === null) return; // nothing built since dist was wiped: `gulp sync` would say to build first
    // --allow-mass-delete: in a collection of four sources, removing two is a mass delete the guard would refuse.
    const outcome = await this.h.sync({ delete: true, limits: { count: 100, percent: 100, allowMass: true } });
    expect(outcome.plan.deleteRefusal, 'sync refused to delete').to.equal(undefined);
    expect(outcome.result?.failures ?? [], 'sync failures').to.deep.equal([]);
    this.synced = this.built;
    const expected = await this.reference.outputs(this.built);
    const actual = new Map<string, string>();
    for await (const page of this.h.direct.list()) {
      for (const o of page) {
        if (o.key.startsWith('_')) continue;
        const chunks: Uint8Array[] = [];
        for await (const c of (await this.h.direct.get(o.key)).body) chunks.push(c);
        actual.set(o.key, sha256Of(Buffer.concat(chunks)));
      }
    }
    expect(Object.fromEntries([...actual].sort()), 'the bucket after a sync vs a from-scratch build of the same sources')
      .to.deep.equal(Object.fromEntries([...expected].sort()));
  }
}

describe('generated histories of the remote build cache (build offline / --env, wipes, sync --delete), against s3rver', function () {
  this.timeout(0);
  const reference = new Reference();
  let tally = { histories: 0, steps: 0, syncs: 0, remoteBuilds: 0 };
  after(() => {
    if (tally.histories > 0) {
      process.stdout.write(`      ${tally.histories} histories, ${tally.steps} steps, ${tally.remoteBuilds} builds with the remote cache, ${tally.syncs} syncs checked byte for byte\n`);
    }
    tally = { histories: 0, steps: 0, syncs: 0, remoteBuilds: 0 };
  });

  it(`${RUNS} random histories: the bucket after each sync is a from-scratch build's output, a remote build renders no more than changed`, async () => {
    const runOne = async ({ initial, steps }: History): Promise<void> => {
      const world = await World.start(reference);
      try {
        for (const [r, c] of Object.entries(initial)) await world.apply({ kind: 'set', rel: r as Rel, colour: c ?? 0 });
        // Every history ends with a build and a sync, so each is checked at least once.
        for (const s of [...steps, { kind: 'build', remote: true } as const, { kind: 'sync' } as const]) {
          await world.apply(s);
          if (s.kind === 'sync' && world.built !== null) tally.syncs += 1;
          if (s.kind === 'build' && s.remote) tally.remoteBuilds += 1;
        }
        tally.histories += 1;
        tally.steps += world.log.length;
      } catch (error) {
        (error as Error).message += `\n    steps: ${world.log.join(' → ')}`;
        throw error;
      } finally {
        await world.close();
      }
    };
    // REMOTE_CACHE_HISTORY='<a counterexample's JSON>' runs just that history.
    if (process.env.REMOTE_CACHE_HISTORY) return runOne(JSON.parse(process.env.REMOTE_CACHE_HISTORY) as History);
    await fc.assert(fc.asyncProperty(history, runOne), { numRuns: RUNS, seed: REPLAY?.seed, path: REPLAY?.path, endOnFailure: false });
  });
});
