import { expect } from 'chai';
import { isImageFile, isSourceName, parseSourcePath, toKey } from '../../lib/images/source-path';
import { DEFAULT_IMAGE_CONFIG } from '../../lib/images/config';

const SUFFIX = '-hi-res';

describe('parseSourcePath', () => {
  it('reads type, slug, output folder and base from russ.fm\'s layout', async () => {
    expect(parseSourcePath('album/blue-train/blue-train-hi-res.jpg', SUFFIX)).to.deep.equal({
      rel: 'album/blue-train/blue-train-hi-res.jpg', type: 'album', slug: 'blue-train', dir: 'album/blue-train', base: 'blue-train',
    });
    expect(parseSourcePath('artist/coltrane/coltrane-hi-res.png', SUFFIX)).to.include({ type: 'artist', slug: 'coltrane', base: 'coltrane' });
  });

  it('strips the source suffix only at the end of the stem', async () => {
    expect(parseSourcePath('album/x/hi-res-x.jpg', SUFFIX).base).to.equal('hi-res-x');
    expect(parseSourcePath('album/x/x-hi-res-2.jpg', SUFFIX).base).to.equal('x-hi-res-2');
    expect(parseSourcePath('album/x/x-hi-res.jpg', '').base).to.equal('x-hi-res');
  });

  it('keeps a stem that is nothing but the suffix', async () => {
    expect(parseSourcePath('album/x/-hi-res.jpg', SUFFIX).base).to.equal('-hi-res');
  });

  it('keeps the slug of the folder even when the file name differs', async () => {
    expect(parseSourcePath('album/kind-of-blue/cover-hi-res.jpg', SUFFIX)).to.include({ slug: 'kind-of-blue', base: 'cover' });
  });

  it('treats files outside album/ and artist/ as "other", slugged by their base', async () => {
    expect(parseSourcePath('misc/logo-hi-res.png', SUFFIX)).to.include({ type: 'other', slug: 'logo', dir: 'misc' });
    expect(parseSourcePath('logo.png', SUFFIX)).to.include({ type: 'other', slug: 'logo', dir: '', base: 'logo' });
  });

  it('normalises NFD names to NFC in every part', async () => {
    const nfd = 'album/Bjo\u0308rk/Bjo\u0308rk-hi-res.jpg';
    const parsed = parseSourcePath(nfd, SUFFIX);
    expect(parsed.rel).to.equal('album/Bj\u00f6rk/Bj\u00f6rk-hi-res.jpg');
    expect(parsed.slug).to.equal('Bj\u00f6rk');
    expect(parsed.base).to.equal('Bj\u00f6rk');
    expect(parsed.dir).to.equal('album/Bj\u00f6rk');
  });

  it('keeps spaces, +, & and % as they are', async () => {
    const parsed = parseSourcePath('album/a b+c&d%20/a b+c&d%20-hi-res.jpg', SUFFIX);
    expect(parsed).to.include({ slug: 'a b+c&d%20', base: 'a b+c&d%20' });
  });

  it('accepts an upper-case extension', async () => {
    expect(parseSourcePath('album/x/x-hi-res.JPG', SUFFIX).base).to.equal('x');
  });
});

describe('toKey', () => {
  it('turns Windows separators into POSIX ones', async () => {
    expect(toKey('album\\x\\x-hi-res.jpg', '\\')).to.equal('album/x/x-hi-res.jpg');
  });

  it('keeps a backslash on POSIX: it is part of the name there, not a way out of the folder', async () => {
    expect(toKey('album/evil/..\\..\\x-hi-res.jpg', '/')).to.equal('album/evil/..\\..\\x-hi-res.jpg');
  });
});

describe('isImageFile', () => {
  it('accepts image extensions in any case', async () => {
    for (const name of ['a.jpg', 'a.JPG', 'a.jpeg', 'a.Jpeg', 'a.png', 'a.webp', 'a.avif', 'a.tif', 'a.tiff', 'a.gif']) {
      expect(isImageFile(name), name).to.equal(true);
    }
  });

  it('rejects other files', async () => {
    for (const name of ['a.txt', 'a.json', '.DS_Store', 'a.jpg.part', 'a']) expect(isImageFile(name), name).to.equal(false);
  });
});

describe('isSourceName (the recipe\'s source naming)', () => {
  it('takes <type>/<slug>/<slug>-hi-res.jpg, .jpeg and .png, the extension in any case', async () => {
    for (const rel of ['album/x/x-hi-res.jpg', 'album/x/x-hi-res.JPG', 'artist/y/y-hi-res.jpeg', 'artist/y/y-hi-res.png']) {
      expect(isSourceName(rel, DEFAULT_IMAGE_CONFIG), rel).to.equal(true);
    }
  });

  it('leaves out generated sizes, other names, other depths and other formats', async () => {
    for (const rel of ['album/x/x-medium.jpg', 'album/x/cover.jpg', 'album/x/y-hi-res.jpg', 'album/x-hi-res.jpg',
      'album/x/sub/x-hi-res.jpg', 'album/x/x-hi-res.webp', 'other/x/x-hi-res.jpg', 'album/x/X-hi-res.jpg', 'album/x/x-HI-RES.jpg']) {
      expect(isSourceName(rel, DEFAULT_IMAGE_CONFIG), rel).to.equal(false);
    }
  });
});
