import { expect } from 'chai';
import { DEFAULT_KEY_RULES, keyRules, managedKeys, sortListing, type KeyRules } from '../../lib/bucket/managed-keys';
import { resolveAssetsConfig } from '../../lib/config/assets-config';

const SITE: KeyRules = { ...DEFAULT_KEY_RULES, publish: ['{album,artist}/*/og-image.png', 'og-image.png'] };
const listed = (...keys: string[]) => keys.map((key) => ({ key }));

describe('managedKeys (which bucket keys are the tool\'s)', () => {
  it('names every size of every preset, and the config\'s own, in every format, for albums and artists', async () => {
    const keys = managedKeys(keyRules(resolveAssetsConfig({ sizes: { thumb: { fit: 'cover', width: 64, height: 64 } } })));
    for (const size of ['hi-res', 'medium', 'avatar', 'small', 'thumb']) {
      for (const ext of ['jpg', 'webp', 'avif']) {
        expect(keys.classify(`album/abba/abba-${size}.${ext}`), `${size}.${ext}`).to.equal('image');
        expect(keys.classify(`artist/cher & co/cher & co-${size}.${ext}`)).to.equal('image');
      }
    }
    expect(managedKeys(DEFAULT_KEY_RULES).classify('album/abba/abba-thumb.jpg')).to.equal('other');
    expect(managedKeys(DEFAULT_KEY_RULES, { extraSizes: ['thumb'] }).classify('album/abba/abba-thumb.jpg')).to.equal('image'); // the manifest's sizes
  });

  it('leaves everything else to what the tool recorded: OG cards, robots.txt, other names, other formats', async () => {
    const keys = managedKeys(DEFAULT_KEY_RULES);
    for (const key of [
      'album/abba/og-image.png', 'og-image.png', 'robots.txt', 'album/abba/cover.jpg', 'album/abba/bjork-medium.jpg', 'album/abba/abba-medium.png',
      'album/abba/abba-medium.jpeg', 'single/abba/abba-medium.jpg', 'album/abba/x/abba-medium.jpg', 'album/x/x-medium\u0007.jpg', 'album/x\\x-medium.jpg',
    ]) expect(keys.classify(key), key).to.equal('other');
    // The non-NFC twin of an image key is named like one: the tool's, so an extra that --delete removes.
    expect(keys.classify('album/cafe\u0301/cafe\u0301-medium.jpg')).to.equal('image');
  });

  it('`publish` globs make keys the tool\'s; a glob that matched no file in dist/ holds them out of the run', async () => {
    expect(managedKeys(SITE).classify('album/abba/og-image.png')).to.equal('published');
    expect(managedKeys(SITE).classify('og-image.png')).to.equal('published');
    const idle = managedKeys(SITE, { idle: ['{album,artist}/*/og-image.png'] });
    expect(idle.classify('album/abba/og-image.png')).to.equal('held');
    expect(idle.inRun('album/abba/og-image.png')).to.equal(false);
    expect(idle.classify('og-image.png')).to.equal('published');
    expect(managedKeys({ ...SITE, publish: ['**/*.jpg'] }, { idle: ['**/*.jpg'] }).classify('album/a/a-medium.jpg')).to.equal('image');
  });

  it('--exclude and `ignore` put keys outside every run, images included', async () => {
    const keys = managedKeys({ ...SITE, exclude: ['album/abba/**'], ignore: ['*.txt'] });
    expect(['album/abba/abba-medium.jpg', 'album/abba/og-image.png', 'robots.txt'].map(keys.classify)).to.deep.equal(['excluded', 'excluded', 'excluded']);
    expect(keys.inRun('album/abba/abba-medium.jpg')).to.equal(false);
    expect(keys.inRun('album/bjork/bjork-medium.jpg')).to.equal(true);
  });

  it('sortListing keeps the tool\'s objects, asks about the undecided, and counts the rest with a few examples', async () => {
    const keys = managedKeys({ ...SITE, ignore: ['tmp/**'] }, { idle: ['og-image.png'] });
    const objects = listed('album/a/a-medium.jpg', 'album/a/og-image.png', 'og-image.png', 'tmp/x', 'robots.txt', 'album/a/recorded.gif', 'album/a/unknown.gif');
    const recorded = (key: string) => (key === 'album/a/recorded.gif' ? true : key === 'album/a/unknown.gif' ? undefined : false);
    const sorted = sortListing(objects, keys, recorded);
    expect(sorted.managed.map((o) => o.key)).to.deep.equal(['album/a/a-medium.jpg', 'album/a/og-image.png', 'album/a/recorded.gif']);
    expect(sorted.undecided.map((o) => o.key)).to.deep.equal(['album/a/unknown.gif']);
    expect(sorted.unmanaged).to.deep.equal({ total: 3, excluded: 1, held: 1, other: 1, examples: ['robots.txt'] });
  });
});
