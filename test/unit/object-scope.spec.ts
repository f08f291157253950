import { expect } from 'chai';
import fc from 'fast-check';
import { coversWholeBucket, keyInScope, refuseEmptyScope, RESERVED_PREFIXES, sizeOfKey, type ObjectScope } from '../../lib/bucket/object-scope';
import { UsageError } from '../../lib/errors';

const SIZES = ['hi-res', 'medium', 'small', 'avatar'] as const;
const inScope = (key: string, scope: ObjectScope): boolean => keyInScope(key, scope, SIZES);

describe('keyInScope', () => {
  it('never covers the tool\'s own records, whatever the scope', async () => {
    for (const prefix of RESERVED_PREFIXES) {
      expect(inScope(`${prefix}latest.json`, {}), prefix).to.equal(false);
      expect(inScope(`${prefix}album/x/x-small.jpg`, { filter: /./ }), prefix).to.equal(false);
    }
    expect(inScope('album/x/x-small.jpg', {})).to.equal(true);
    expect(inScope('releases/x.json', {})).to.equal(true); // only the exact prefixes are reserved
  });

  it('--type matches the first folder exactly', async () => {
    expect(inScope('album/x/x-small.jpg', { type: 'album' })).to.equal(true);
    expect(inScope('artist/x/x-small.jpg', { type: 'album' })).to.equal(false);
    expect(inScope('albums/x/x-small.jpg', { type: 'album' })).to.equal(false);
  });

  it('--size matches the size suffix of the file name in any format, not a slug that contains it', async () => {
    expect(inScope('album/x/x-small.webp', { size: 'small' })).to.equal(true);
    expect(inScope('album/small/small-medium.jpg', { size: 'small' })).to.equal(false);
    expect(inScope('album/x/x.jpg', { size: 'small' })).to.equal(false);
    expect(sizeOfKey('album/x/x-hi-res.jpg', [...SIZES, 'res'])).to.equal('hi-res'); // the longest matching size wins
  });

  it('--filter tests the whole key; --changed-files keeps only the listed <type>/<slug> folders', async () => {
    expect(inScope('album/blue-train/blue-train-small.jpg', { filter: /blue/ })).to.equal(true);
    expect(inScope('album/kind-of-blue/kind-of-blue-small.jpg', { filter: /^album\/blue/ })).to.equal(false);
    const slugs = new Set(['album/x']);
    expect(inScope('album/x/x-small.jpg', { slugs })).to.equal(true);
    expect(inScope('album/xy/xy-small.jpg', { slugs })).to.equal(false);
    expect(inScope('artist/x/x-small.jpg', { slugs })).to.equal(false);
  });

  it('needs every given narrowing to hold at once', async () => {
    const scope: ObjectScope = { type: 'album', size: 'small', filter: /x/, slugs: new Set(['album/x']) };
    expect(inScope('album/x/x-small.jpg', scope)).to.equal(true);
    expect(inScope('album/x/x-medium.jpg', scope)).to.equal(false);
    expect(inScope('artist/x/x-small.jpg', { ...scope, type: undefined })).to.equal(false);
  });

  it('a whole-bucket scope covers exactly the keys that are not reserved, and narrowing never adds a key', async () => {
    const segment = fc.constantFrom('album', 'artist', '_state', '_releases', '_archive', 'x', 'blue', 'x-small.jpg', 'x-hi-res.png', 'latest.json');
    const key = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
    const scope = fc.record({
      type: fc.option(fc.constantFrom('album' as const, 'artist' as const), { nil: undefined }),
      size: fc.option(fc.constantFrom(...SIZES), { nil: undefined }),
      filter: fc.option(fc.constantFrom(/x/, /^album\//, /blue/), { nil: undefined }),
      slugs: fc.option(fc.constantFrom(new Set(['album/x']), new Set(['artist/blue'])), { nil: undefined }),
    });
    await fc.assert(fc.asyncProperty(key, scope, async (k, s) => {
      expect(coversWholeBucket({})).to.equal(true);
      expect(inScope(k, {})).to.equal(!RESERVED_PREFIXES.some((p) => k.startsWith(p)));
      if (inScope(k, s)) for (const drop of ['type', 'size', 'filter', 'slugs'] as const) expect(inScope(k, { ...s, [drop]: undefined }), drop).to.equal(true);
    }), { numRuns: 300 });
  });
});

// From the new user's trial: `gulp verify --filter zzz` exited 0 having checked nothing ("0 verified").
describe('refuseEmptyScope', () => {
  it('refuses a --type/--size/--filter that matches nothing in the build or the bucket, naming it', async () => {
    expect(() => refuseEmptyScope({ filter: /zzz/ }, 0, 0)).to.throw(UsageError, 'nothing in the build or the bucket matches --filter zzz');
    expect(() => refuseEmptyScope({ type: 'artist', size: 'avatar' }, 0, 0)).to.throw(UsageError, /--type artist --size avatar/);
  });

  it('lets through a scope that matches something on either side, the whole bucket, and --changed-files alone', async () => {
    expect(() => refuseEmptyScope({ filter: /a/ }, 1, 0)).to.not.throw();
    expect(() => refuseEmptyScope({ filter: /a/ }, 0, 1)).to.not.throw();
    expect(() => refuseEmptyScope({}, 0, 0)).to.not.throw();
    expect(() => refuseEmptyScope({ slugs: new Set() }, 0, 0)).to.not.throw();
  });
});
