import { expect } from 'chai';
import fc from 'fast-check';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readShardManifests } from '../../lib/bucket/shard-manifests';
import { inShard, onlyShard, parseShard, shardManifestName, shardOf } from '../../lib/images/shard';
import { writeManifest } from '../../lib/manifest/io';
import type { ImageManifest, ManifestSource } from '../../lib/manifest/types';

const source = (slug: string, type: 'album' | 'artist' = 'album'): [string, ManifestSource] => [`${type}/${slug}/${slug}-hi-res.jpg`, {
  type, slug, bytes: 1, sha256: 'a'.repeat(64), width: 10, height: 10,
  variants: [{ size: 'medium', format: 'jpeg', key: `${type}/${slug}/${slug}-medium.jpg`, width: 5, height: 5, bytes: 3, contentType: 'image/jpeg', md5: 'b'.repeat(32), sha256: 'c'.repeat(64), cacheKey: 'd'.repeat(16) }],
}];
const manifest = (sources: [string, ManifestSource][], encoder = 'sharp-test'): ImageManifest => ({ schema: 1, encoder, updatedAt: '2026-12-03T00:00:00.000Z', sources: Object.fromEntries(sources) });
const SLUGS = ['abba', 'bjork', 'cher', 'dido', 'the-hive-sessions', 'enya', 'faith'];

describe('--shard i/n', () => {
  it('is i/n with 1 ≤ i ≤ n ≤ 256; anything else is refused, naming the form', async () => {
    expect(parseShard('2/3')).to.deep.equal({ index: 2, count: 3 });
    expect(parseShard(' 1/1 ')).to.deep.equal({ index: 1, count: 1 });
    for (const bad of ['0/3', '4/3', '1/0', '1/257', '-1/3', '1.5/3', '1/3/4', '', 'a/b', '2 / 3']) {
      expect(() => parseShard(bad), bad).to.throw(/use i\/n with 1 ≤ i ≤ n ≤ 256/);
    }
  });

  it('splits by slug, stably: these values never change between runs or versions (a changed split would re-render everything)', async () => {
    expect(SLUGS.slice(0, 5).map((slug) => shardOf(`album/${slug}/${slug}-hi-res.jpg`, 3))).to.deep.equal([3, 2, 3, 3, 2]);
    expect(SLUGS.slice(0, 5).map((slug) => shardOf(`album/${slug}/${slug}-hi-res.jpg`, 8))).to.deep.equal([6, 6, 8, 1, 1]);
    expect(shardOf('artist/abba/abba-hi-res.jpg', 3)).to.equal(shardOf('album/abba/other.png', 3));
  });

  it('puts every source in exactly one shard, for any n', async () => {
    fc.assert(fc.property(fc.array(fc.stringMatching(/^[a-z0-9-]{1,20}$/), { maxLength: 30 }), fc.integer({ min: 1, max: 256 }), (slugs, count) => {
      for (const slug of slugs) {
        const rel = `album/${slug}/${slug}-hi-res.jpg`;
        const owners = Array.from({ length: count }, (_, i) => i + 1).filter((index) => inShard({ index, count }, rel));
        expect(owners).to.have.length(1);
      }
    }));
  });

  it('onlyShard keeps a manifest\'s sources of that shard and no other', async () => {
    const all = manifest(SLUGS.map((s) => source(s)));
    const parts = [1, 2, 3].map((index) => Object.keys(onlyShard(all, { index, count: 3 }).sources));
    expect(parts.flat().sort()).to.deep.equal(Object.keys(all.sources).sort());
  });
});

describe('readShardManifests: shard builds\' manifests read as one, checked as a whole', () => {
  let dist: string;
  beforeEach(async () => { dist = await mkdtemp(join(tmpdir(), 'shards-')); });
  afterEach(async () => { await rm(dist, { recursive: true, force: true }); });
  const writeShard = (index: number, count: number, sources: [string, ManifestSource][], encoder?: string) =>
    writeManifest(join(dist, shardManifestName({ index, count })), manifest(sources, encoder));
  const refusal = () => readShardManifests(dist).then(() => 'no refusal', (e: Error) => e.message);
  const inPart = (index: number, count: number) => SLUGS.filter((s) => shardOf(`album/${s}/x`, count) === index).map((s) => source(s));

  it('merges a complete set into the sources of all of them', async () => {
    for (const index of [1, 2, 3]) await writeShard(index, 3, inPart(index, 3));
    const merged = await readShardManifests(dist);
    expect(Object.keys(merged?.sources ?? {}).sort()).to.deep.equal(SLUGS.map((s) => source(s)[0]).sort());
    expect(merged?.encoder).to.equal('sharp-test');
  });

  it('is undefined with no shard manifest, and refuses a missing shard, two splits, a source in the wrong shard, a key twice, two encoders', async () => {
    expect(await readShardManifests(dist)).to.equal(undefined);
    await writeShard(1, 3, inPart(1, 3));
    await writeShard(3, 3, inPart(3, 3));
    expect(await refusal()).to.match(/missing shard\(s\) 2 of 3 \(images\.shard-2-of-3\.json\)/);
    await writeShard(1, 2, inPart(1, 2));
    expect(await refusal()).to.match(/shard manifests of different splits \(of 3 and of 2\)|of 2 and of 3/);
    await rm(join(dist, shardManifestName({ index: 1, count: 2 })));
    const stray = inPart(1, 3)[0] as [string, ManifestSource];
    await writeShard(2, 3, [...inPart(2, 3), stray]);
    expect(await refusal()).to.match(/images\.shard-2-of-3\.json lists album\/\S+ which belongs to shard 1 of 3|belongs to shard 1 of 3/);
    // The same key from a source of another name, in the right shard: a hand-made manifest.
    const [, twin] = inPart(1, 3)[0] as [string, ManifestSource];
    await writeShard(2, 3, [...inPart(2, 3), [`album/${SLUGS.find((s) => shardOf(`x/${s}/x`, 3) === 2)}/z.png`, twin]]);
    expect(await refusal()).to.match(/is in both images\.shard-1-of-3\.json and images\.shard-2-of-3\.json/);
    await writeShard(2, 3, inPart(2, 3), 'sharp-other');
    expect(await refusal()).to.match(/built by different encoders/);
    // A shard manifest that is a dangling link, or a folder: named, not a crash.
    await rm(join(dist, shardManifestName({ index: 2, count: 3 })));
    await symlink(join(dist, 'nowhere.json'), join(dist, shardManifestName({ index: 2, count: 3 })));
    expect(await refusal()).to.match(/images\.shard-2-of-3\.json cannot be read/);
    await rm(join(dist, shardManifestName({ index: 2, count: 3 })));
    await mkdir(join(dist, shardManifestName({ index: 2, count: 3 })));
    expect(await refusal()).to.match(/cannot read .*images\.shard-2-of-3\.json: EISDIR/);
  });
});
