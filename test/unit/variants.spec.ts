import { expect } from 'chai';
import { DEFAULT_IMAGE_CONFIG, PRESETS, type ImageConfig, type SizeSpec } from '../../lib/images/config';
import { parseSourcePath } from '../../lib/images/source-path';
import { outputDimensions, variantCacheKey, variantsFor, type VariantSpec } from '../../lib/images/variants';
import { albumSource } from '../helpers/paths';

/** Most of these tests pin the four-size preset: its sizes exercise every geometry. */
const FOUR: ImageConfig = PRESETS['four-size'];
const SIZE = Object.fromEntries(FOUR.sizes.map((s) => [s.name, s])) as Record<string, SizeSpec>;
const size = (name: string): SizeSpec => SIZE[name] as SizeSpec;
const source = parseSourcePath(albumSource('blue-train'), DEFAULT_IMAGE_CONFIG.sourceSuffix);
const SHA = 'a'.repeat(64);
const ENCODER = 'sharp 1 libvips 1';

function variant(list: VariantSpec[], sizeName: string, format = 'jpeg'): VariantSpec {
  const found = list.find((v) => v.size === sizeName && v.format === format);
  if (!found) throw new Error(`no ${sizeName} ${format} variant`);
  return found;
}

describe('outputDimensions', async () => {
  it('caps the longest side of an inside fit and keeps the aspect ratio', async () => {
    expect(outputDimensions({ width: 3000, height: 2000 }, size('hi-res'))).to.deep.equal({ width: 2000, height: 1333 });
    expect(outputDimensions({ width: 1000, height: 4000 }, size('hi-res'))).to.deep.equal({ width: 500, height: 2000 });
  });

  it('never scales an inside fit up', async () => {
    expect(outputDimensions({ width: 300, height: 200 }, size('hi-res'))).to.deep.equal({ width: 300, height: 200 });
  });

  it('gives a cover fit exactly the box', async () => {
    expect(outputDimensions({ width: 3000, height: 2000 }, size('medium'))).to.deep.equal({ width: 800, height: 800 });
  });

  it('gives a cover fit smaller than its box the largest box of that shape the source holds (never enlarged, always made)', async () => {
    expect(outputDimensions({ width: 300, height: 300 }, size('small'))).to.deep.equal({ width: 300, height: 300 });
    expect(outputDimensions({ width: 2000, height: 399 }, size('small'))).to.deep.equal({ width: 399, height: 399 });
    expect(outputDimensions({ width: 100, height: 90 }, { name: 'a', width: 128, height: 64, fit: 'cover' })).to.deep.equal({ width: 100, height: 50 });
    expect(outputDimensions({ width: 400, height: 400 }, size('small'))).to.deep.equal({ width: 400, height: 400 });
  });

  it('gives a source size the source\'s own dimensions', async () => {
    expect(outputDimensions({ width: 3000, height: 17 }, { name: 'hi-res', fit: 'source' })).to.deep.equal({ width: 3000, height: 17 });
  });
});

describe('variantsFor', async () => {
  it('names every default size after the slug, in the source folder', async () => {
    const keys = variantsFor(source, { width: 1400, height: 1400 }, FOUR).map((v) => v.key);
    expect(keys).to.have.members([
      'album/blue-train/blue-train-hi-res.jpg', 'album/blue-train/blue-train-medium.jpg',
      'album/blue-train/blue-train-small.jpg', 'album/blue-train/blue-train-avatar.jpg',
    ]);
  });

  it('lists variants largest first', async () => {
    const areas = variantsFor(source, { width: 1400, height: 1400 }, FOUR).map((v) => v.width * v.height);
    expect(areas).to.deep.equal([...areas].sort((a, b) => b - a));
  });

  it('makes every size for a 300 px source, none enlarged', async () => {
    const list = variantsFor(source, { width: 300, height: 300 }, FOUR);
    expect(list.map((v) => [v.size, v.width, v.height])).to.deep.equal([['hi-res', 300, 300], ['medium', 300, 300], ['small', 300, 300], ['avatar', 128, 128]]);
  });

  it('adds one rendition per extra format with its content type', async () => {
    const config: ImageConfig = { ...FOUR, formats: ['jpeg', 'webp', 'avif'] };
    const list = variantsFor(source, { width: 1400, height: 1400 }, config);
    expect(list).to.have.length(12);
    expect(variant(list, 'small', 'webp')).to.include({ key: 'album/blue-train/blue-train-small.webp', contentType: 'image/webp' });
    expect(variant(list, 'small', 'avif')).to.include({ key: 'album/blue-train/blue-train-small.avif', contentType: 'image/avif' });
    expect(variant(list, 'small', 'jpeg')).to.include({ contentType: 'image/jpeg' });
  });

  it('applies per-size JPEG overrides on top of the global JPEG options', async () => {
    const list = variantsFor(source, { width: 1400, height: 1400 }, FOUR);
    expect(variant(list, 'medium').encoder.options).to.include({ quality: 85, progressive: true, mozjpeg: true });
    expect(variant(list, 'small').encoder.options).to.include({ quality: 85, progressive: true, mozjpeg: false });
  });
});

describe('variantCacheKey', async () => {
  const dims = { width: 1400, height: 1400 };
  const base = variantsFor(source, dims, { ...FOUR, formats: ['jpeg', 'webp'] });
  const keyOf = (v: VariantSpec, sha = SHA, encoder = ENCODER) => variantCacheKey(sha, v, encoder);

  it('is stable for the same source, recipe and encoder', async () => {
    const again = variantsFor(source, dims, { ...FOUR, formats: ['jpeg', 'webp'] });
    expect(base.map((v) => keyOf(v))).to.deep.equal(again.map((v) => keyOf(v)));
  });

  it('differs between the variants of one source', async () => {
    expect(new Set(base.map((v) => keyOf(v))).size).to.equal(base.length);
  });

  it('changes when the source bytes change', async () => {
    const v = variant(base, 'medium');
    expect(keyOf(v, 'b'.repeat(64))).to.not.equal(keyOf(v));
  });

  it('changes when the encoder version changes', async () => {
    const v = variant(base, 'medium');
    expect(keyOf(v, SHA, 'sharp 2 libvips 2')).to.not.equal(keyOf(v));
  });

  it('changes for a size whose width changes, and only for that size', async () => {
    const sizes = FOUR.sizes.map((s) => (s.name === 'medium' ? { ...s, width: 700 } : s));
    const changed = variantsFor(source, dims, { ...FOUR, formats: ['jpeg', 'webp'], sizes });
    for (const v of base) {
      const same = keyOf(variant(changed, v.size, v.format)) === keyOf(v);
      expect(same, `${v.size} ${v.format}`).to.equal(v.size !== 'medium');
    }
  });

  it('changes for JPEG variants only when the JPEG quality changes', async () => {
    const changed = variantsFor(source, dims, { ...FOUR, formats: ['jpeg', 'webp'], jpeg: { ...FOUR.jpeg, quality: 70 } });
    for (const v of base) {
      const same = keyOf(variant(changed, v.size, v.format)) === keyOf(v);
      expect(same, `${v.size} ${v.format}`).to.equal(v.format !== 'jpeg');
    }
  });

  it('does not change for WebP variants when only the JPEG flatten background changes', async () => {
    const changed = variantsFor(source, dims, { ...FOUR, formats: ['jpeg', 'webp'], background: '#000000' });
    for (const v of base) {
      const same = keyOf(variant(changed, v.size, v.format)) === keyOf(v);
      expect(same, `${v.size} ${v.format}`).to.equal(v.format !== 'jpeg');
    }
  });

  it('does not depend on the output key (a renamed source with the same bytes keeps its cache keys)', async () => {
    const renamed = parseSourcePath(albumSource('blue-train-remaster'), FOUR.sourceSuffix);
    const other = variantsFor(renamed, dims, { ...FOUR, formats: ['jpeg', 'webp'] });
    expect(keyOf(variant(other, 'small'))).to.equal(keyOf(variant(base, 'small')));
  });
});

describe('variantsFor on the russ-fm recipe (the default)', async () => {
  const artist = parseSourcePath('artist/nina/nina-hi-res.png', DEFAULT_IMAGE_CONFIG.sourceSuffix);

  it('gives albums hi-res and medium, and artists an avatar too; never a small', async () => {
    expect(variantsFor(source, { width: 1400, height: 1400 }, DEFAULT_IMAGE_CONFIG).map((v) => v.key)).to.deep.equal([
      'album/blue-train/blue-train-hi-res.jpg', 'album/blue-train/blue-train-medium.jpg']);
    expect(variantsFor(artist, { width: 1400, height: 1000 }, DEFAULT_IMAGE_CONFIG).map((v) => [v.size, v.width, v.height])).to.deep.equal([
      ['hi-res', 1400, 1000], ['medium', 800, 571], ['avatar', 128, 128]]);
  });

  it('names every key <slug>-<size>.jpg, whatever the source\'s extension', async () => {
    for (const key of variantsFor(artist, { width: 500, height: 500 }, DEFAULT_IMAGE_CONFIG).map((v) => v.key)) expect(key).to.match(/^artist\/nina\/nina-[a-z-]+\.jpg$/);
  });

  it('makes a 300 px medium for a 300 px source (the app asks for -medium.jpg of every album)', async () => {
    expect(variantsFor(source, { width: 300, height: 200 }, DEFAULT_IMAGE_CONFIG).map((v) => [v.size, v.width, v.height])).to.deep.equal([
      ['hi-res', 300, 200], ['medium', 300, 200]]);
  });

  it('encodes medium and avatar as the site does: q85, sharp\'s defaults, one pipeline per output', async () => {
    for (const v of variantsFor(artist, { width: 1400, height: 1400 }, DEFAULT_IMAGE_CONFIG).filter((x) => x.fit !== 'source')) {
      expect(v.encoder.options, v.size).to.deep.equal({ quality: 85, progressive: false, mozjpeg: false });
      expect(v.pipeline).to.equal('per-output');
    }
  });
});
