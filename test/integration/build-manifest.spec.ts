import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Writable } from 'node:stream';
import Vinyl from 'vinyl';
import { BadRecordError } from '../../lib/validate/records';
import { writeOutputs } from '../../lib/images/write-outputs';
import { listFiles, readManifestOf, runBuild } from '../helpers/build';
import { DEFAULT_IMAGE_CONFIG, withFormats } from '../../lib/images/config';
import { photoJpeg } from '../helpers/fixtures';
import { PHOTO, albumSource, artistSource } from '../helpers/paths';
import { useWorkspace, writeAt } from '../helpers/tmp';

const hex = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest('hex');

describe('gulp build: the image manifest (dist/images.json)', () => {
  const ws = useWorkspace('manifest');

  beforeEach(async () => {
    await writeAt(ws.current.src, albumSource('kind-of-blue'), await photoJpeg(1000, 900, PHOTO.landscape));
    await writeAt(ws.current.src, artistSource('miles'), await photoJpeg(450, 600, PHOTO.bee));
    const summary = await runBuild(ws.current, { config: withFormats(DEFAULT_IMAGE_CONFIG, ['jpeg', 'webp']) });
    expect(summary).to.include({ built: 2, failed: 0 });
  });

  it('describes each source: type, slug, bytes, sha256 and oriented size', async () => {
    const manifest = await readManifestOf(ws.current);
    expect(Object.keys(manifest.sources)).to.deep.equal([albumSource('kind-of-blue'), artistSource('miles')]);
    for (const [rel, expected] of [
      [albumSource('kind-of-blue'), { type: 'album', slug: 'kind-of-blue', width: 1000, height: 900 }],
      [artistSource('miles'), { type: 'artist', slug: 'miles', width: 450, height: 600 }],
    ] as const) {
      const source = await readFile(join(ws.current.src, rel));
      expect(manifest.sources[rel], rel).to.include({ ...expected, bytes: source.length, sha256: hex('sha256', source) });
    }
  });

  it('lists every variant with key, size, bytes, content type, md5 and sha256 matching the file on disk', async () => {
    const manifest = await readManifestOf(ws.current);
    const variants = Object.values(manifest.sources).flatMap((s) => s.variants);
    expect(variants.map((v) => v.key).sort()).to.deep.equal(await listFiles(ws.current.dest));
    for (const v of variants) {
      const data = await readFile(join(ws.current.dest, v.key));
      const meta = await sharp(data).metadata();
      expect(v, v.key).to.include({
        bytes: data.length, md5: hex('md5', data), sha256: hex('sha256', data), width: meta.width, height: meta.height,
        contentType: meta.format === 'webp' ? 'image/webp' : 'image/jpeg',
      });
      expect(v.cacheKey, v.key).to.be.a('string').and.not.empty;
    }
  });

  it('names every size of a 450×600 artist source, none enlarged, and how its hi-res was published', async () => {
    const miles = (await readManifestOf(ws.current)).sources[artistSource('miles')];
    const jpegs = miles?.variants.filter((v) => v.format === 'jpeg').map((v) => [v.size, v.width, v.height]);
    expect(jpegs).to.have.deep.members([['hi-res', 450, 600], ['medium', 450, 600], ['avatar', 128, 128]]);
    expect(miles?.variants.find((v) => v.size === 'hi-res' && v.format === 'jpeg')?.passthrough).to.equal('copy');
  });

  it('records the schema and the encoder that produced the files', async () => {
    const manifest = await readManifestOf(ws.current);
    expect(manifest.schema).to.equal(1);
    expect(manifest.encoder).to.match(/^sharp \S+ libvips \S+$/);
    expect(Number.isNaN(Date.parse(manifest.updatedAt))).to.equal(false);
  });

  it('refuses a manifest that is not JSON, with a hint to rebuild', async () => {
    await writeFile(join(ws.current.dest, 'images.json'), '{"schema": 1, "sources": {');
    let error: unknown;
    await runBuild(ws.current).catch((e: unknown) => { error = e; });
    expect(error).to.be.instanceOf(BadRecordError);
    expect((error as BadRecordError).message).to.contain('images.json').and.contain('not valid JSON');
    expect((error as BadRecordError).hint).to.contain('--no-cache');
  });

  it('leaves no temp file beside the manifest', async () => {
    expect(await listFiles(ws.current.dest, true)).to.include('images.json');
    expect((await listFiles(ws.current.dest, true)).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
  });

  // Found by the generated histories ([05/10], two rebuilds at once): both builds wrote `<file>.<pid>.tmp`,
  // so one renamed the other's temp file away and failed with ENOENT.
  it('two builds writing the same outputs at once in one process both finish, and leave no temp file', async () => {
    const files = Array.from({ length: 40 }, (_, i) => new Vinyl({ cwd: '/', base: '/', path: `/album/a${i}/a${i}-small.jpg`, contents: Buffer.alloc(4096 + i, i) }));
    const write = (sink: Writable) => new Promise<void>((resolve, reject) => {
      sink.on('error', reject).on('finish', resolve);
      for (const file of files) sink.write(file.clone());
      sink.end();
    });
    await Promise.all([write(writeOutputs(ws.current.dest)), write(writeOutputs(ws.current.dest))]);
    const written = await listFiles(ws.current.dest, true);
    expect(written.filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    expect(written).to.include.members(files.map((f) => f.relative));
  });
});
