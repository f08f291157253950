import { expect } from 'chai';
import fc from 'fast-check';
import { composeObjects, releaseObject, type ReleaseObject } from '../../lib/releases/release';
import { desired } from '../helpers/plan-objects';

const previousOf = (...keys: string[]): Record<string, ReleaseObject> =>
  Object.fromEntries(keys.map((k) => [k, { ...releaseObject(desired(k, `old-${k}`)), versionId: `v-${k}` }]));
const albumsOnly = (key: string): boolean => key.startsWith('album/');

describe('composeObjects', () => {
  it('without a previous release is the build\'s objects, in key order', async () => {
    const objects = composeObjects(undefined, [desired('b'), desired('a')], () => true);
    expect(Object.keys(objects)).to.deep.equal(['a', 'b']);
    expect(objects.a).to.deep.equal(releaseObject(desired('a')));
  });

  it('keeps the previous release\'s objects outside the run\'s scope, version ids and all', async () => {
    const previous = previousOf('album/x/x-small.jpg', 'artist/y/y-small.jpg');
    const objects = composeObjects(previous, [desired('album/x/x-small.jpg')], albumsOnly);
    expect(objects).to.deep.equal({
      'album/x/x-small.jpg': releaseObject(desired('album/x/x-small.jpg')),
      'artist/y/y-small.jpg': previous['artist/y/y-small.jpg'],
    });
  });

  it('drops a previous object inside the scope that the build no longer has (the run deleted it)', async () => {
    const objects = composeObjects(previousOf('album/gone/gone-small.jpg', 'artist/y/y-small.jpg'), [], albumsOnly);
    expect(Object.keys(objects)).to.deep.equal(['artist/y/y-small.jpg']);
  });

  it('takes the build\'s object over the previous one even outside the scope', async () => {
    const objects = composeObjects(previousOf('artist/y/y-small.jpg'), [desired('artist/y/y-small.jpg', 'new')], albumsOnly);
    expect(objects['artist/y/y-small.jpg']).to.deep.equal(releaseObject(desired('artist/y/y-small.jpg', 'new')));
  });

  it('is the build inside the scope plus the previous release outside it, whatever the order given', async () => {
    const key = fc.constantFrom(...['a', 'b', 'c'].flatMap((n) => [`album/${n}/${n}-small.jpg`, `artist/${n}/${n}-small.jpg`]));
    await fc.assert(fc.asyncProperty(fc.uniqueArray(key), fc.uniqueArray(key), async (before, built) => {
      const objects = composeObjects(previousOf(...before), built.map((k) => desired(k)), albumsOnly);
      const expected = [...new Set([...before.filter((k) => !albumsOnly(k)), ...built])].sort();
      expect(Object.keys(objects)).to.deep.equal(expected);
      for (const k of built) expect(objects[k]).to.deep.equal(releaseObject(desired(k)));
      expect(composeObjects(previousOf(...before.slice().reverse()), built.slice().reverse().map((k) => desired(k)), albumsOnly)).to.deep.equal(objects);
    }), { numRuns: 200 });
  });
});
