import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { runBuild, listFiles, readManifestOf } from '../helpers/build';
import { photoJpeg } from '../helpers/fixtures';
import { albumSource, artistSource, outputKey } from '../helpers/paths';
import { useWorkspace, writeAt } from '../helpers/tmp';

describe('gulp build: variants and sizes', () => {
  const ws = useWorkspace('variants');

  async function dims(rel: string): Promise<[number, number]> {
    const meta = await sharp(join(ws.current.dest, rel)).metadata();
    return [meta.width as number, meta.height as number];
  }

  it('yields hi-res, medium, small and avatar from a 1400×1400 source, named after the slug', async () => {
    await writeAt(ws.current.src, albumSource('blue-train'), await photoJpeg(1400, 1400));
    const summary = await runBuild(ws.current);
    expect(summary).to.include({ sources: 1, built: 1, failed: 0, outputsWritten: 4 });
    expect(await listFiles(ws.current.dest)).to.deep.equal([
      outputKey('album', 'blue-train', 'avatar'), outputKey('album', 'blue-train', 'hi-res'),
      outputKey('album', 'blue-train', 'medium'), outputKey('album', 'blue-train', 'small'),
    ]);
    expect(await dims(outputKey('album', 'blue-train', 'hi-res'))).to.deep.equal([1400, 1400]);
    expect(await dims(outputKey('album', 'blue-train', 'medium'))).to.deep.equal([800, 800]);
    expect(await dims(outputKey('album', 'blue-train', 'small'))).to.deep.equal([400, 400]);
    expect(await dims(outputKey('album', 'blue-train', 'avatar'))).to.deep.equal([128, 128]);
  });

  it('caps a 3000×2000 source\'s hi-res at 2000×1333 and cover-crops medium to 800×800', async () => {
    await writeAt(ws.current.src, albumSource('wide'), await photoJpeg(3000, 2000));
    await runBuild(ws.current);
    expect(await dims(outputKey('album', 'wide', 'hi-res'))).to.deep.equal([2000, 1333]);
    expect(await dims(outputKey('album', 'wide', 'medium'))).to.deep.equal([800, 800]);
    const manifest = await readManifestOf(ws.current);
    expect(manifest.sources[albumSource('wide')]).to.include({ width: 3000, height: 2000 });
  });

  it('builds artist images into artist/<slug>/', async () => {
    await writeAt(ws.current.src, artistSource('coltrane'), await photoJpeg(500, 500));
    await runBuild(ws.current);
    expect(existsSync(join(ws.current.dest, outputKey('artist', 'coltrane', 'small')))).to.equal(true);
    expect((await readManifestOf(ws.current)).sources[artistSource('coltrane')]).to.include({ type: 'artist', slug: 'coltrane' });
  });

  it('does not upscale a 300 px source: hi-res 300 and avatar 128, no small, no medium', async () => {
    await writeAt(ws.current.src, albumSource('tiny'), await photoJpeg(300, 300));
    const summary = await runBuild(ws.current);
    expect(summary).to.include({ built: 1, failed: 0, outputsWritten: 2 });
    expect(await listFiles(ws.current.dest)).to.deep.equal([outputKey('album', 'tiny', 'avatar'), outputKey('album', 'tiny', 'hi-res')]);
    expect(await dims(outputKey('album', 'tiny', 'hi-res'))).to.deep.equal([300, 300]);
    expect(await dims(outputKey('album', 'tiny', 'avatar'))).to.deep.equal([128, 128]);
    const variants = (await readManifestOf(ws.current)).sources[albumSource('tiny')]?.variants ?? [];
    expect(variants.map((v) => v.size).sort()).to.deep.equal(['avatar', 'hi-res']);
  });

  it('adds a .webp of each size with --formats jpeg,webp, typed image/webp in the manifest', async () => {
    await writeAt(ws.current.src, albumSource('duo'), await photoJpeg(900, 900));
    const summary = await runBuild(ws.current, { config: { formats: ['jpeg', 'webp'] } });
    expect(summary.outputsWritten).to.equal(8);
    for (const size of ['hi-res', 'medium', 'small', 'avatar']) {
      const key = outputKey('album', 'duo', size, 'webp');
      expect((await sharp(join(ws.current.dest, key)).metadata()).format, key).to.equal('webp');
    }
    const variants = (await readManifestOf(ws.current)).sources[albumSource('duo')]?.variants ?? [];
    expect(variants).to.have.length(8);
    for (const v of variants) {
      expect(v.contentType, v.key).to.equal(v.key.endsWith('.webp') ? 'image/webp' : 'image/jpeg');
      expect(v.format, v.key).to.equal(v.key.endsWith('.webp') ? 'webp' : 'jpeg');
    }
  });

  it('writes AVIF renditions when avif is opted in', async () => {
    await writeAt(ws.current.src, albumSource('av'), await photoJpeg(500, 500));
    await runBuild(ws.current, { config: { formats: ['jpeg', 'avif'] } });
    const variants = (await readManifestOf(ws.current)).sources[albumSource('av')]?.variants ?? [];
    const avif = variants.filter((v) => v.key.endsWith('.avif'));
    expect(avif.map((v) => v.size).sort()).to.deep.equal(['avatar', 'hi-res', 'small']);
    for (const v of avif) {
      expect(v.contentType).to.equal('image/avif');
      expect((await sharp(join(ws.current.dest, v.key)).metadata()).format, v.key).to.equal('heif');
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

  it('writes progressive JPEGs of about the size a q85 encode gives', async () => {
    const source = await photoJpeg(1400, 1400);
    await writeAt(ws.current.src, albumSource('q'), source);
    await runBuild(ws.current);
    for (const size of ['hi-res', 'medium', 'small', 'avatar']) {
      const meta = await sharp(join(ws.current.dest, outputKey('album', 'q', size))).metadata();
      expect(meta.format, size).to.equal('jpeg');
      expect(meta.isProgressive, size).to.equal(true);
    }
    const medium = await readFile(join(ws.current.dest, outputKey('album', 'q', 'medium')));
    const at = (quality: number) => sharp(source).resize(800, 800).jpeg({ quality, progressive: true }).toBuffer();
    const [q60, q85, q97] = await Promise.all([at(60), at(85), at(97)]);
    expect(medium.length).to.be.within(q85.length * 0.8, q85.length * 1.25);
    expect(medium.length).to.be.above(q60.length).and.below(q97.length);
  });
});
