import { expect } from 'chai';
import { local, markRemote, remoteOutputs, withoutRemoteMarks } from '../../lib/manifest/remote-marks';
import type { ImageManifest, ManifestSource, ManifestVariant } from '../../lib/manifest/types';
import type { Release, ReleaseObject } from '../../lib/releases/release';
import { albumSource } from '../helpers/paths';

const A = albumSource('a');
const B = albumSource('b');
const RELEASE = '20261203T000000Z-0001';

function variant(key: string, n: number): ManifestVariant {
  return {
    size: key.replace(/^.*-(\w+)\.jpg$/, '$1'), format: 'jpeg', key, width: 100, height: 100, bytes: 1000 + n,
    contentType: 'image/jpeg', md5: `${n}`.repeat(32).slice(0, 32), sha256: `${n}`.repeat(64).slice(0, 64), cacheKey: `c${n}`,
  };
}

function source(rel: string, variants: ManifestVariant[]): ManifestSource {
  return { type: 'album', slug: rel.split('/')[1] as string, bytes: 5000, sha256: 'f'.repeat(64), width: 1400, height: 1400, variants };
}

const manifest = (sources: Record<string, ManifestSource>): ImageManifest => ({ schema: 1, encoder: 'sharp 0', updatedAt: '2026-12-03T00:00:00Z', sources });

/** What a release records of an object with exactly these bytes. */
const held = (v: ManifestVariant): ReleaseObject => ({ md5: v.md5, sha256: v.sha256, size: v.bytes, contentType: v.contentType, cacheControl: 'public, max-age=300' });

function release(objects: Record<string, ReleaseObject>): Pick<Release, 'id' | 'objects'> {
  return { id: RELEASE, objects };
}

describe('remote marks (the remote build cache)', () => {
  const a1 = variant('album/a/a-hi-res.jpg', 1);
  const a2 = variant('album/a/a-medium.jpg', 2);
  const b1 = variant('album/b/b-hi-res.jpg', 3);
  const archived = manifest({ [A]: source(A, [a1, a2]), [B]: source(B, [b1]) });

  it('markRemote marks every variant the release holds with the same bytes, naming the release', async () => {
    const marked = markRemote(archived, release({ [a1.key]: held(a1), [a2.key]: held(a2), [b1.key]: held(b1) }));
    expect(marked.sources[A]?.variants).to.deep.equal([{ ...a1, remote: RELEASE }, { ...a2, remote: RELEASE }]);
    expect(marked.sources[B]?.variants).to.deep.equal([{ ...b1, remote: RELEASE }]);
    expect(remoteOutputs(marked.sources)).to.equal(3);
    // The source entries are kept whole otherwise (hash, size: what the planner matches on).
    expect({ ...marked.sources[A], variants: [] }).to.deep.equal({ ...archived.sources[A], variants: [] });
    expect(archived.sources[A]?.variants[0]?.remote, 'the input is not changed').to.equal(undefined);
  });

  // Kept, unmarked, not dropped (from the attacker trial): a dropped output of a source outside a scoped
  // build would look like one the build no longer has, and `sync --delete` would delete its live object.
  it('markRemote keeps a variant the release does not hold, unmarked, beside the marked ones', async () => {
    const marked = markRemote(archived, release({ [a1.key]: held(a1) }));
    expect(marked.sources[A]?.variants).to.deep.equal([{ ...a1, remote: RELEASE }, a2]);
    expect(marked.sources[B]?.variants).to.deep.equal([b1]);
    expect(remoteOutputs(marked.sources)).to.equal(1);
  });

  for (const [field, change] of [
    ['md5', (o: ReleaseObject) => ({ ...o, md5: '9'.repeat(32) })],
    ['sha256', (o: ReleaseObject) => ({ ...o, sha256: '9'.repeat(64) })],
    ['size', (o: ReleaseObject) => ({ ...o, size: o.size + 1 })],
  ] as const) {
    it(`markRemote leaves unmarked a variant whose object in the release has another ${field} (a later repair or restore changed it)`, async () => {
      const marked = markRemote(archived, release({ [a1.key]: held(a1), [a2.key]: change(held(a2)), [b1.key]: held(b1) }));
      expect(marked.sources[A]?.variants).to.deep.equal([{ ...a1, remote: RELEASE }, a2]);
      expect(marked.sources[B]?.variants).to.deep.equal([{ ...b1, remote: RELEASE }]);
    });
  }

  it('withoutRemoteMarks strips every mark, and gives an unmarked manifest back as it is', async () => {
    const marked = markRemote(archived, release({ [a1.key]: held(a1), [b1.key]: held(b1) }));
    const stripped = withoutRemoteMarks(marked);
    expect(remoteOutputs(stripped.sources)).to.equal(0);
    expect(stripped.sources[A]?.variants).to.deep.equal([a1, a2]);
    expect(JSON.stringify(stripped)).to.not.contain('"remote"');
    expect(remoteOutputs(marked.sources), 'the marked one is not changed').to.equal(2);
    expect(withoutRemoteMarks(archived)).to.equal(archived, 'the same object: nothing to strip');
    expect(withoutRemoteMarks(stripped)).to.equal(stripped);
  });

  it('local clears one mark, and gives an unmarked variant back as it is', async () => {
    expect(local({ ...a1, remote: RELEASE })).to.deep.equal(a1);
    expect(local(a1)).to.equal(a1);
  });
});
