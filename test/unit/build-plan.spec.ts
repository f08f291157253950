import { expect } from 'chai';
import { PRESETS, type ImageConfig } from '../../lib/images/config';

/** The four-size preset: several sizes per source show partial rebuilds. */
const DEFAULT_IMAGE_CONFIG: ImageConfig = PRESETS['four-size'];
import { parseSourcePath } from '../../lib/images/source-path';
import { variantCacheKey, variantsFor } from '../../lib/images/variants';
import type { ImageManifest, ManifestSource } from '../../lib/manifest/types';
import { local } from '../../lib/manifest/remote-marks';
import { planBuild, staleKeys, type BuildPlanInput, type SourceCandidate } from '../../lib/plan/build-plan';
import { albumSource, artistSource } from '../helpers/paths';

const ENCODER = 'sharp 0 libvips 0';
const sha = (c: string) => c.repeat(64);

function candidate(rel: string, hash: string): SourceCandidate {
  return { rel, path: `/src/${rel}`, bytes: 1000, sha256: hash };
}

/** The manifest entry a previous build under `config` would have written for a 1400×1400 source. */
function entry(rel: string, hash: string, config: ImageConfig = DEFAULT_IMAGE_CONFIG): ManifestSource {
  const source = parseSourcePath(rel, config.sourceSuffix);
  const variants = variantsFor(source, { width: 1400, height: 1400 }, config).map((v) => ({
    size: v.size, format: v.format, key: v.key, width: v.width, height: v.height, bytes: 100 + v.width,
    contentType: v.contentType, md5: 'm', sha256: 's', cacheKey: variantCacheKey(hash, v, ENCODER),
  }));
  return { type: source.type, slug: source.slug, bytes: 1000, sha256: hash, width: 1400, height: 1400, variants };
}

function manifest(sources: Record<string, ManifestSource>): ImageManifest {
  return { schema: 1, encoder: ENCODER, updatedAt: '2024-01-01T00:00:00Z', sources };
}

const A = albumSource('a');
const B = albumSource('b');
const R = artistSource('r');

function input(overrides: Partial<BuildPlanInput>): BuildPlanInput {
  return {
    candidates: [], previous: null, inScope: () => true, config: DEFAULT_IMAGE_CONFIG,
    encoderVersion: ENCODER, noCache: false, present: () => true, ...overrides,
  };
}

describe('planBuild', () => {
  it('builds every source fully when there is no previous manifest', async () => {
    const plan = planBuild(input({ candidates: [candidate(A, sha('1')), candidate(B, sha('2'))] }));
    expect(plan.build.map((t) => t.candidate.rel)).to.deep.equal([A, B]);
    expect(plan.build.every((t) => t.onlyKeys === undefined && t.reuse.length === 0)).to.equal(true);
    expect(plan.cached).to.deep.equal({});
  });

  it('caches a source whose hash, recipes and outputs are unchanged', async () => {
    const previous = manifest({ [A]: entry(A, sha('1')) });
    const plan = planBuild(input({ candidates: [candidate(A, sha('1'))], previous }));
    expect(plan.build).to.deep.equal([]);
    expect(plan.cached[A]).to.deep.equal(previous.sources[A]);
  });

  it('rebuilds a source whose bytes changed, every variant', async () => {
    const previous = manifest({ [A]: entry(A, sha('1')) });
    const plan = planBuild(input({ candidates: [candidate(A, sha('9'))], previous }));
    expect(plan.build).to.have.length(1);
    expect(plan.build[0]?.onlyKeys).to.equal(undefined);
    expect(plan.build[0]?.reuse).to.deep.equal([]);
  });

  it('rebuilds only the variant whose output file is missing and reuses the rest', async () => {
    const previous = manifest({ [A]: entry(A, sha('1')) });
    const missing = 'album/a/a-small.jpg';
    const plan = planBuild(input({ candidates: [candidate(A, sha('1'))], previous, present: (key) => key !== missing }));
    expect([...(plan.build[0]?.onlyKeys ?? [])]).to.deep.equal([missing]);
    expect(plan.build[0]?.reuse.map((v) => v.key)).to.have.members(['album/a/a-hi-res.jpg', 'album/a/a-medium.jpg', 'album/a/a-avatar.jpg']);
  });

  it('rebuilds only the new variants when a format is added', async () => {
    const previous = manifest({ [A]: entry(A, sha('1')) });
    const config = { ...DEFAULT_IMAGE_CONFIG, formats: ['jpeg', 'webp'] } as ImageConfig;
    const plan = planBuild(input({ candidates: [candidate(A, sha('1'))], previous, config }));
    expect([...(plan.build[0]?.onlyKeys ?? [])].sort()).to.deep.equal(
      ['album/a/a-avatar.webp', 'album/a/a-hi-res.webp', 'album/a/a-medium.webp', 'album/a/a-small.webp']);
    expect(plan.build[0]?.reuse).to.have.length(4);
  });

  it('rebuilds only the size whose recipe changed', async () => {
    const previous = manifest({ [A]: entry(A, sha('1')) });
    const sizes = DEFAULT_IMAGE_CONFIG.sizes.map((s) => (s.name === 'small' ? { ...s, width: 300, height: 300 } : s));
    const plan = planBuild(input({ candidates: [candidate(A, sha('1'))], previous, config: { ...DEFAULT_IMAGE_CONFIG, sizes } }));
    expect([...(plan.build[0]?.onlyKeys ?? [])]).to.deep.equal(['album/a/a-small.jpg']);
  });

  it('caches a source with fewer variants when a format is dropped (nothing to render)', async () => {
    const config = { ...DEFAULT_IMAGE_CONFIG, formats: ['jpeg', 'webp'] } as ImageConfig;
    const previous = manifest({ [A]: entry(A, sha('1'), config) });
    const plan = planBuild(input({ candidates: [candidate(A, sha('1'))], previous }));
    expect(plan.build).to.deep.equal([]);
    expect(plan.cached[A]?.variants.map((v) => v.format)).to.deep.equal(['jpeg', 'jpeg', 'jpeg', 'jpeg']);
  });

  it('renders everything with noCache, even unchanged sources', async () => {
    const previous = manifest({ [A]: entry(A, sha('1')) });
    const plan = planBuild(input({ candidates: [candidate(A, sha('1'))], previous, noCache: true }));
    expect(plan.build.map((t) => t.onlyKeys)).to.deep.equal([undefined]);
    expect(plan.cached).to.deep.equal({});
  });

  it('lists a vanished in-scope source as removed', async () => {
    const previous = manifest({ [A]: entry(A, sha('1')), [B]: entry(B, sha('2')) });
    const plan = planBuild(input({ candidates: [candidate(A, sha('1'))], previous }));
    expect(plan.removedSources).to.deep.equal([B]);
    expect(plan.carried).to.deep.equal({});
  });

  it('carries entries outside the scope untouched instead of removing them', async () => {
    const previous = manifest({ [A]: entry(A, sha('1')), [R]: entry(R, sha('3')) });
    const plan = planBuild(input({ candidates: [candidate(R, sha('3'))], previous, inScope: (rel) => rel.startsWith('artist/') }));
    expect(plan.removedSources).to.deep.equal([]);
    expect(plan.carried[A]).to.deep.equal(previous.sources[A]);
    expect(Object.keys(plan.cached)).to.deep.equal([R]);
  });
});

describe('planBuild with a render cache', () => {
  const keysOf = (rel: string, hash: string) => entry(rel, hash).variants.map((v) => v.key);

  it('restores a source whose outputs are missing from dist but cached, rendering nothing', async () => {
    const previous = manifest({ [A]: entry(A, sha('1')) });
    const plan = planBuild(input({ candidates: [candidate(A, sha('1'))], previous, present: () => false, inCache: () => true }));
    expect(plan.build).to.deep.equal([]);
    expect(plan.cached).to.deep.equal({});
    expect(plan.restored[A]).to.equal(previous.sources[A], 'the previous entry itself');
    expect(plan.restore.map((v) => v.key)).to.have.members(keysOf(A, sha('1')));
  });

  it('renders only the uncached variant of a source and restores the others it reuses', async () => {
    const previous = manifest({ [A]: entry(A, sha('1')) });
    const [gone, ...cached] = keysOf(A, sha('1'));
    const plan = planBuild(input({ candidates: [candidate(A, sha('1'))], previous, present: () => false, inCache: (v) => v.key !== gone }));
    expect([...(plan.build[0]?.onlyKeys ?? [])]).to.deep.equal([gone]);
    expect(plan.build[0]?.reuse.map((v) => v.key)).to.have.members(cached);
    expect(plan.restore.map((v) => v.key)).to.have.members(cached);
    expect(plan.restored).to.deep.equal({});
  });

  it('restores nothing already in dist, and renders what is in neither', async () => {
    const previous = manifest({ [A]: entry(A, sha('1')), [B]: entry(B, sha('2')) });
    const plan = planBuild(input({
      candidates: [candidate(A, sha('1')), candidate(B, sha('2'))], previous,
      present: (key) => key.startsWith('album/a/'), inCache: () => false,
    }));
    expect(Object.keys(plan.cached)).to.deep.equal([A]);
    expect(plan.build.map((t) => t.candidate.rel)).to.deep.equal([B]);
    expect(plan.restore).to.deep.equal([]);
  });

  it('never restores a cached render whose cache key no longer matches (the source changed)', async () => {
    const previous = manifest({ [A]: entry(A, sha('1')) });
    const plan = planBuild(input({ candidates: [candidate(A, sha('9'))], previous, present: () => false, inCache: () => true }));
    expect(plan.build).to.have.length(1);
    expect(plan.restore).to.deep.equal([]);
  });

  it('restores the missing outputs of entries a scoped run carries, and leaves them untouched', async () => {
    const previous = manifest({ [A]: entry(A, sha('1')), [R]: entry(R, sha('3')) });
    const plan = planBuild(input({
      candidates: [candidate(R, sha('3'))], previous, inScope: (rel) => rel.startsWith('artist/'), present: () => false, inCache: () => true,
    }));
    expect(plan.carried[A]).to.equal(previous.sources[A]);
    expect(plan.restore.map((v) => v.key)).to.have.members([...keysOf(A, sha('1')), ...keysOf(R, sha('3'))]);
  });

  it('reuses another dist\'s entry (known) for a new dist, but never carries or removes it', async () => {
    const known = manifest({ [A]: entry(A, sha('1')), [B]: entry(B, sha('2')), [R]: entry(R, sha('3')) });
    const plan = planBuild(input({
      candidates: [candidate(A, sha('1'))], previous: null, known, inScope: (rel) => rel.startsWith('album/'),
      present: () => false, inCache: () => true,
    }));
    expect(Object.keys(plan.restored)).to.deep.equal([A]);
    expect(plan.removedSources).to.deep.equal([]);
    expect(plan.carried).to.deep.equal({});
    expect(plan.restore.map((v) => v.key)).to.have.members(keysOf(A, sha('1')));
  });
});

describe('staleKeys', () => {
  it('is empty without a previous manifest', async () => {
    expect(staleKeys(null, { [A]: entry(A, sha('1')) })).to.deep.equal([]);
  });

  it('lists, sorted, the keys the new sources no longer have', async () => {
    const before = manifest({ [A]: entry(A, sha('1')), [B]: entry(B, sha('2')) });
    expect(staleKeys(before, { [A]: entry(A, sha('1')) })).to.deep.equal([
      'album/b/b-avatar.jpg', 'album/b/b-hi-res.jpg', 'album/b/b-medium.jpg', 'album/b/b-small.jpg',
    ]);
  });

  it('never lists a key that moved to another source', async () => {
    const before = manifest({ [A]: entry(A, sha('1')) });
    const moved = { ...entry(A, sha('1')), sha256: sha('7') };
    expect(staleKeys(before, { 'album/a/a-hi-res.png': moved })).to.deep.equal([]);
  });
});

describe('planBuild with the remote build cache', () => {
  const RELEASE = '20261203T000000Z-0001';
  /** The bucket's release as the remote build cache gives it: every variant marked (markRemote). */
  const marked = (e: ManifestSource): ManifestSource => ({ ...e, variants: e.variants.map((v) => ({ ...v, remote: RELEASE })) });
  const marks = (e: ManifestSource | undefined) => (e?.variants ?? []).map((v) => v.remote);
  const keysOf = (rel: string) => entry(rel, sha('1')).variants.map((v) => v.key);
  /** A fresh runner: nothing in dist, nothing in the render cache. */
  const fresh = { present: () => false, inCache: () => false };

  it('reuses the remote entry, marked, when the previous one has another hash and the remote one matches', async () => {
    const previous = manifest({ [A]: entry(A, sha('1')) });
    const remote = manifest({ [A]: marked(entry(A, sha('2'))) });
    const plan = planBuild(input({ candidates: [candidate(A, sha('2'))], previous, remote, ...fresh }));
    expect(plan.build).to.deep.equal([]);
    expect(plan.restore).to.deep.equal([]);
    expect(Object.keys(plan.remote)).to.deep.equal([A]);
    expect(plan.remote[A]).to.equal(remote.sources[A], 'the remote entry itself, its marks kept');
    expect(marks(plan.remote[A])).to.deep.equal(keysOf(A).map(() => RELEASE));
    expect(plan.cached).to.deep.equal({});
  });

  it('prefers the previous entry when both match the source\'s hash, and renders a source neither matches', async () => {
    const previous = manifest({ [A]: entry(A, sha('1')), [B]: entry(B, sha('2')) });
    const remote = manifest({ [A]: marked(entry(A, sha('1'))), [B]: marked(entry(B, sha('3'))) });
    const plan = planBuild(input({ candidates: [candidate(A, sha('1')), candidate(B, sha('4'))], previous, remote }));
    expect(plan.cached[A]).to.equal(previous.sources[A]);
    expect(plan.build.map((t) => [t.candidate.rel, t.onlyKeys, t.reuse.length])).to.deep.equal([[B, undefined, 0]]);
    expect(plan.remote).to.deep.equal({});
  });

  it('clears the marks of outputs already in dist: the source is cached, its entry unmarked', async () => {
    const remote = manifest({ [A]: marked(entry(A, sha('1'))) });
    const plan = planBuild(input({ candidates: [candidate(A, sha('1'))], previous: null, remote, present: () => true, inCache: () => false }));
    expect(plan.remote).to.deep.equal({});
    expect(plan.cached[A]).to.deep.equal(entry(A, sha('1')));
    expect(marks(plan.cached[A]).every((m) => m === undefined)).to.equal(true);
  });

  it('restores the outputs the render cache holds and clears their marks; one in neither stays marked', async () => {
    const remote = manifest({ [A]: marked(entry(A, sha('1'))), [B]: marked(entry(B, sha('2'))) });
    const [onlyInBucket] = keysOf(A);
    const plan = planBuild(input({
      candidates: [candidate(A, sha('1')), candidate(B, sha('2'))], previous: null, remote,
      present: () => false, inCache: (v) => v.key.startsWith('album/b/') || (v.key.startsWith('album/a/') && v.key !== onlyInBucket),
    }));
    expect(plan.build).to.deep.equal([]);
    // B: all from the render cache, unmarked. A: some restored too, so it is a restored source, its one bucket-only output still marked.
    expect(plan.restored[B]).to.deep.equal(entry(B, sha('2')));
    expect(Object.fromEntries((plan.restored[A]?.variants ?? []).map((v) => [v.key, v.remote])))
      .to.deep.equal(Object.fromEntries(keysOf(A).map((k) => [k, k === onlyInBucket ? RELEASE : undefined])));
    expect(plan.restore.map((v) => v.key)).to.have.members([...keysOf(A).filter((k) => k !== onlyInBucket), ...entry(B, sha('2')).variants.map((v) => v.key)]);
    expect(plan.remote).to.deep.equal({});
  });

  it('renders only the size whose recipe changed; the other outputs stay in the bucket, marked', async () => {
    const remote = manifest({ [A]: marked(entry(A, sha('1'))) });
    const sizes = DEFAULT_IMAGE_CONFIG.sizes.map((s) => (s.name === 'small' ? { ...s, width: 300, height: 300 } : s));
    const plan = planBuild(input({ candidates: [candidate(A, sha('1'))], previous: remote, remote: null, config: { ...DEFAULT_IMAGE_CONFIG, sizes }, ...fresh }));
    expect(plan.build).to.have.length(1);
    expect([...(plan.build[0]?.onlyKeys ?? [])]).to.deep.equal(['album/a/a-small.jpg']);
    expect(plan.build[0]?.reuse.map((v) => [v.key, v.remote])).to.have.deep.members(
      keysOf(A).filter((k) => k !== 'album/a/a-small.jpg').map((k) => [k, RELEASE]));
    expect(plan.remote).to.deep.equal({});
    expect(plan.restore).to.deep.equal([]);
  });

  it('falls back to the remote entry per output when the previous one (same hash) lost its outputs from dist and the render cache', async () => {
    // The render cache's manifest copy outlived its renders (cache wiped, a no-op build, then dist wiped):
    // found by the generated histories (test/property/remote-build-cache.spec.ts).
    const previous = manifest({ [A]: entry(A, sha('1')) });
    const remote = manifest({ [A]: marked(entry(A, sha('1'))) });
    const plan = planBuild(input({ candidates: [candidate(A, sha('1'))], previous, remote, ...fresh }));
    expect(plan.build).to.deep.equal([]);
    expect(marks(plan.remote[A])).to.deep.equal(keysOf(A).map(() => RELEASE));
    // Only outputs whose recipe still matches: a changed size is rendered, the rest taken from the bucket.
    const sizes = DEFAULT_IMAGE_CONFIG.sizes.map((s) => (s.name === 'small' ? { ...s, width: 300, height: 300 } : s));
    const changed = planBuild(input({ candidates: [candidate(A, sha('1'))], previous, remote, config: { ...DEFAULT_IMAGE_CONFIG, sizes }, ...fresh }));
    expect([...(changed.build[0]?.onlyKeys ?? [])]).to.deep.equal(['album/a/a-small.jpg']);
    expect(changed.build[0]?.reuse.every((v) => v.remote === RELEASE)).to.equal(true);
  });

  it('keeps the mark when dist has a file of the right size but other bytes there (the previous build\'s, of another hash)', async () => {
    // dist holds A as built from sha 2; the source is back to sha 1, which the bucket's release holds.
    const previous = manifest({ [A]: entry(A, sha('2')) });
    const remote = manifest({ [A]: marked(entry(A, sha('1'))) });
    const asked: string[] = [];
    const plan = planBuild(input({
      candidates: [candidate(A, sha('1'))], previous, remote, present: () => true, inCache: () => false,
      holds: (v) => { asked.push(v.key); return false; },
    }));
    expect(plan.build).to.deep.equal([]);
    expect(marks(plan.remote[A])).to.deep.equal(keysOf(A).map(() => RELEASE));
    expect(asked.sort()).to.deep.equal([...keysOf(A)].sort());
    // The same files with the very bytes: the marks are cleared.
    const held = planBuild(input({ candidates: [candidate(A, sha('1'))], previous, remote, present: () => true, inCache: () => false, holds: () => true }));
    expect(marks(held.cached[A]).every((m) => m === undefined)).to.equal(true);
  });

  it('with noCache ignores the remote entry: every variant rendered', async () => {
    const remote = manifest({ [A]: marked(entry(A, sha('1'))) });
    const plan = planBuild(input({ candidates: [candidate(A, sha('1'))], previous: null, remote, noCache: true, ...fresh }));
    expect(plan.build.map((t) => [t.candidate.rel, t.onlyKeys, t.reuse])).to.deep.equal([[A, undefined, []]]);
    expect(plan.remote).to.deep.equal({});
  });

  it('an offline plan on a marked previous manifest keeps the marks and renders nothing', async () => {
    // The build after a remote one, without --env: dist's images.json carries the marks, dist lacks those outputs.
    const previous = manifest({ [A]: marked(entry(A, sha('1'))), [R]: marked(entry(R, sha('3'))) });
    const plan = planBuild(input({ candidates: [candidate(A, sha('1')), candidate(R, sha('3'))], previous, ...fresh }));
    expect(plan.build).to.deep.equal([]);
    expect(plan.restore).to.deep.equal([]);
    expect(plan.remote[A]).to.equal(previous.sources[A]);
    expect(plan.remote[R]).to.equal(previous.sources[R]);
    expect(Object.values(plan.remote).flatMap(marks).every((m) => m === RELEASE)).to.equal(true);
  });

  it('renders an unmarked output that is in neither dist nor the render cache (only a marked one may stay behind)', async () => {
    const remote = manifest({ [A]: { ...marked(entry(A, sha('1'))), variants: marked(entry(A, sha('1'))).variants.map((v) => (v.size === 'medium' ? local(v) : v)) } });
    const plan = planBuild(input({ candidates: [candidate(A, sha('1'))], previous: null, remote, ...fresh }));
    expect([...(plan.build[0]?.onlyKeys ?? [])]).to.deep.equal(['album/a/a-medium.jpg']);
  });
});
