import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { runBuild, listFiles, readManifestOf } from '../helpers/build';
import { photoJpeg } from '../helpers/fixtures';
import { albumSource, artistSource, outputKey } from '../helpers/paths';
import { useWorkspace, writeAt } from '../helpers/tmp';
import { DEFAULT_IMAGE_CONFIG, PRESETS, withFormats } from '../../lib/images/config';

describe('gulp build: variants and sizes', () => {
  const ws = useWorkspace('variants');

  async function dims(rel: string): Promise<[number, number]> {
    const meta = await sharp(join(ws.current.dest, rel)).metadata();
    return [meta.width as number, meta.height as number];
  }

  it('gives an album hi-res (the source itself) and an 800 px medium, named after the slug', async () => {
    const source = await photoJpeg(1400, 1400);
    await writeAt(ws.current.src, albumSource('blue-train'), source);
    const summary = await runBuild(ws.current);
    expect(summary).to.include({ sources: 1, built: 1, failed: 0, outputsWritten: 2 });
    expect(await listFiles(ws.current.dest)).to.deep.equal([outputKey('album', 'blue-train', 'hi-res'), outputKey('album', 'blue-train', 'medium')]);
    expect((await readFile(join(ws.current.dest, outputKey('album', 'blue-train', 'hi-res')))).equals(source), 'hi-res is the source, byte for byte').to.equal(true);
    expect(await dims(outputKey('album', 'blue-train', 'medium'))).to.deep.equal([800, 800]);
    expect(summary.hiRes).to.include({ copied: 1, stripped: 0, reencoded: 0 });
  });

  it('keeps the whole frame of a 3000×2000 source in medium (inside, 800×533) and publishes the hi-res at full size', async () => {
    await writeAt(ws.current.src, albumSource('wide'), await photoJpeg(3000, 2000));
    await runBuild(ws.current);
    expect(await dims(outputKey('album', 'wide', 'hi-res'))).to.deep.equal([3000, 2000]);
    expect(await dims(outputKey('album', 'wide', 'medium'))).to.deep.equal([800, 533]);
    const manifest = await readManifestOf(ws.current);
    expect(manifest.sources[albumSource('wide')]).to.include({ width: 3000, height: 2000 });
  });

  it('builds artist images into artist/<slug>/ with a 128 px avatar as well', async () => {
    await writeAt(ws.current.src, artistSource('coltrane'), await photoJpeg(500, 400));
    await runBuild(ws.current);
    expect(await listFiles(ws.current.dest)).to.deep.equal(['avatar', 'hi-res', 'medium'].map((size) => outputKey('artist', 'coltrane', size)));
    expect(await dims(outputKey('artist', 'coltrane', 'avatar'))).to.deep.equal([128, 128]);
    expect(await dims(outputKey('artist', 'coltrane', 'medium'))).to.deep.equal([500, 400]);
    expect((await readManifestOf(ws.current)).sources[artistSource('coltrane')]).to.include({ type: 'artist', slug: 'coltrane' });
  });

  it('renders medium and avatar byte for byte as the site\'s own sharp calls do', async () => {
    const source = await photoJpeg(1200, 900);
    await writeAt(ws.current.src, artistSource('site'), source);
    await runBuild(ws.current);
    const site = {
      medium: await sharp(source).resize(800, 800, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 85 }).toBuffer(),
      avatar: await sharp(source).resize(128, 128, { fit: 'cover' }).jpeg({ quality: 85 }).toBuffer(),
    };
    for (const [size, bytes] of Object.entries(site)) {
      expect((await readFile(join(ws.current.dest, outputKey('artist', 'site', size)))).equals(bytes), size).to.equal(true);
    }
  });

  it('makes every size of a 100 px source, none enlarged: a 100 px medium, a 100 px square avatar', async () => {
    await writeAt(ws.current.src, artistSource('tiny'), await photoJpeg(100, 120));
    const summary = await runBuild(ws.current);
    expect(summary).to.include({ built: 1, failed: 0, outputsWritten: 3 });
    expect(await dims(outputKey('artist', 'tiny', 'hi-res'))).to.deep.equal([100, 120]);
    expect(await dims(outputKey('artist', 'tiny', 'medium'))).to.deep.equal([100, 120]);
    expect(await dims(outputKey('artist', 'tiny', 'avatar'))).to.deep.equal([100, 100]);
  });

  it('adds a .webp of each size with --formats jpeg,webp, typed image/webp in the manifest', async () => {
    await writeAt(ws.current.src, albumSource('duo'), await photoJpeg(900, 900));
    const summary = await runBuild(ws.current, { config: withFormats(DEFAULT_IMAGE_CONFIG, ['jpeg', 'webp']) });
    expect(summary.outputsWritten).to.equal(4);
    for (const size of ['hi-res', 'medium']) {
      const key = outputKey('album', 'duo', size, 'webp');
      expect((await sharp(join(ws.current.dest, key)).metadata()).format, key).to.equal('webp');
    }
    const variants = (await readManifestOf(ws.current)).sources[albumSource('duo')]?.variants ?? [];
    expect(variants).to.have.length(4);
    for (const v of variants) {
      expect(v.contentType, v.key).to.equal(v.key.endsWith('.webp') ? 'image/webp' : 'image/jpeg');
      expect(v.format, v.key).to.equal(v.key.endsWith('.webp') ? 'webp' : 'jpeg');
    }
  });

  it('writes AVIF renditions when avif is opted in', async () => {
    await writeAt(ws.current.src, albumSource('av'), await photoJpeg(500, 500));
    await runBuild(ws.current, { config: withFormats(DEFAULT_IMAGE_CONFIG, ['jpeg', 'avif']) });
    const variants = (await readManifestOf(ws.current)).sources[albumSource('av')]?.variants ?? [];
    const avif = variants.filter((v) => v.key.endsWith('.avif'));
    expect(avif.map((v) => v.size).sort()).to.deep.equal(['hi-res', 'medium']);
    for (const v of avif) {
      expect(v.contentType).to.equal('image/avif');
      expect((await sharp(join(ws.current.dest, v.key)).metadata()).format, v.key).to.equal('heif');
    }
  });

  it('the four-size preset: hi-res capped at 2000 px, medium/small/avatar cover-cropped, progressive', async () => {
    await writeAt(ws.current.src, albumSource('four'), await photoJpeg(3000, 2000));
    const summary = await runBuild(ws.current, { config: PRESETS['four-size'] });
    expect(summary.outputsWritten).to.equal(4);
    const expected: Record<string, [number, number]> = { 'hi-res': [2000, 1333], medium: [800, 800], small: [400, 400], avatar: [128, 128] };
    for (const [size, wh] of Object.entries(expected)) {
      expect(await dims(outputKey('album', 'four', size)), size).to.deep.equal(wh);
      expect((await sharp(join(ws.current.dest, outputKey('album', 'four', size))).metadata()).isProgressive, size).to.equal(true);
    }
  });

  it('counts the bytes it decoded and wrote', async () => {
    const source = await photoJpeg(500, 500);
    await writeAt(ws.current.src, albumSource('count'), source);
    const summary = await runBuild(ws.current);
    const variants = (await readManifestOf(ws.current)).sources[albumSource('count')]?.variants ?? [];
    expect(summary.bytesIn).to.equal(source.length);
    expect(summary.bytesOut).to.equal(variants.reduce((sum, v) => sum + v.bytes, 0));
  });
});
