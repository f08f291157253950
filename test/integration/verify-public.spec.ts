import { expect } from 'chai';
import { CachingCdn } from '../servers/caching-cdn';
import { SyncHarness } from '../support/sync-harness';

const V1 = {
  'album/abba/abba-medium.jpg': 'abba medium v1',
  'album/bjork/bjork-small.jpg': 'bjork small v1',
  'artist/cher & co/cher & co-small.jpg': 'cher small v1', // a key that needs URL encoding
};
const problems = (list: readonly { kind: string; key: string }[]) => list.map((p) => [p.kind, p.key]);

describe('gulp verify --public against the bucket\'s public URLs', () => {
  let h: SyncHarness;
  beforeEach(async () => {
    h = await SyncHarness.start();
    await h.writeDist(V1);
    await h.sync();
  });
  afterEach(async () => { await h.close(); });

  it('the local server\'s URLs serve every object with the right status, headers and bytes', async () => {
    const outcome = await h.verify({ publicBase: h.server.publicBase });
    expect(outcome.publicProblems).to.deep.equal([]);
    expect(outcome.checked.public).to.equal(3);
  });

  it('names an object missing publicly, and one served with other bytes or headers', async () => {
    await h.direct.deleteMany(['album/abba/abba-medium.jpg']);
    await h.rotOnDisk('album/bjork/bjork-small.jpg');
    const outcome = await h.verify({ publicBase: h.server.publicBase });
    expect(problems(outcome.publicProblems)).to.deep.equal([
      ['public-missing', 'album/abba/abba-medium.jpg'],
      ['public-wrong', 'album/bjork/bjork-small.jpg'],
    ]);
    expect(outcome.publicProblems[1]?.reason).to.match(/served bytes hash to sha256/);
  });

  it('reports answers from a CDN cache that no longer match as stale, apart from missing ones', async () => {
    const cdn = new CachingCdn(h.server.publicBase);
    const base = await cdn.start();
    try {
      expect((await h.verify({ publicBase: base })).publicProblems).to.deep.equal([]); // fills the cache
      expect((await fetch(`${base}/album/dido/dido-small.jpg`)).status).to.equal(404); // a visitor came too early: 404 cached
      await h.writeDist({ ...V1, 'album/abba/abba-medium.jpg': 'abba medium v2', 'album/dido/dido-small.jpg': 'dido v1' });
      await h.sync();
      await h.direct.deleteMany(['album/bjork/bjork-small.jpg']);
      const outcome = await h.verify({ publicBase: base });
      expect(problems(outcome.publicProblems)).to.deep.equal([
        ['public-stale', 'album/abba/abba-medium.jpg'], // the CDN still serves v1
        ['public-stale', 'album/dido/dido-small.jpg'], // the CDN still serves its cached 404
      ]);
      expect(outcome.publicProblems[0]?.reason).to.match(/purge http/);
      // Gone from the bucket but still served right from the cache: the listing names it, the public check cannot yet.
      expect(outcome.findings.map((f) => [f.kind, f.key])).to.deep.equal([['missing', 'album/bjork/bjork-small.jpg']]);
      cdn.purge();
      expect(problems((await h.verify({ publicBase: base })).publicProblems)).to.deep.equal([['public-missing', 'album/bjork/bjork-small.jpg']]);
    } finally {
      await cdn.close();
    }
  });
});
