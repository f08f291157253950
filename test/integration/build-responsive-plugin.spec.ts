import { expect } from 'chai';
import { dest, src } from 'gulp';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import Vinyl from 'vinyl';
import type { SourceError } from '../../lib/errors';
import { responsive, type ResponsiveOptions } from '../../lib/images/responsive';
import { listFiles } from '../helpers/build';
import { HTML_PAGE, truncatedJpeg } from '../helpers/bad-fixtures';
import { photoJpeg } from '../helpers/fixtures';
import { orientedJpeg } from '../helpers/orientation';
import { makeTmpDir, removeTmp, writeAt } from '../helpers/tmp';

const WEBP_200: ResponsiveOptions['config'] = { formats: [{ width: 200, format: 'webp', rename: { suffix: '-200' } }] };

/** Rejects if `promise` has not settled within `ms`: a stalled stream fails the test with a clear message. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms (stalled?)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('gulp build: the responsive plugin on its own (gulp-sharp-responsive options)', () => {
  let root = '';
  const input = () => join(root, 'in');
  const output = () => join(root, 'out');

  beforeEach(async () => {
    root = await makeTmpDir('plugin');
  });
  afterEach(async () => {
    await removeTmp(root);
  });

  function run(options: ResponsiveOptions, glob = '**/*.{jpg,JPG}'): Promise<void> {
    return within(15_000, pipeline(src(glob, { cwd: input(), encoding: false }), responsive(options), dest(output())), 'the pipeline');
  }

  it('writes the renamed WebP at the asked width', async () => {
    await writeAt(input(), 'covers/blue.jpg', await photoJpeg(600, 400));
    await run({ config: WEBP_200 });
    expect(await listFiles(output())).to.deep.equal(['covers/blue-200.webp']);
    const meta = await sharp(join(output(), 'covers/blue-200.webp')).metadata();
    expect([meta.format, meta.width, meta.height]).to.deep.equal(['webp', 200, 133]);
  });

  it('passes over the folders a **/* glob also matches, without reporting them as bad images', async () => {
    await writeAt(input(), 'a/b/deep.jpg', await photoJpeg(300, 300));
    const failed: string[] = [];
    await run({ config: WEBP_200, onError: (e) => failed.push(`${e.file}: ${e.reason}`) }, '**/*');
    expect(failed).to.deep.equal([]);
    expect(await listFiles(output())).to.deep.equal(['a/b/deep-200.webp']);
  });

  it('sizes an EXIF-rotated image by its displayed (upright) dimensions', async () => {
    // Stored 200×320 with orientation 6: displayed 320×200.
    await writeAt(input(), 'turned.jpg', await orientedJpeg(6));
    await run({ config: WEBP_200 });
    const meta = await sharp(join(output(), 'turned-200.webp')).metadata();
    expect([meta.width, meta.height]).to.deep.equal([200, 125]);
  });

  it('does not upscale an image smaller than the asked width', async () => {
    await writeAt(input(), 'small.jpg', await photoJpeg(150, 150));
    await writeAt(input(), 'big.jpg', await photoJpeg(300, 300));
    await run({ config: WEBP_200 });
    expect(await listFiles(output())).to.deep.equal(['big-200.webp']);
  });

  it('reads an upper-case .JPG and keeps JPEG when no format is given', async () => {
    await writeAt(input(), 'LOUD.JPG', await photoJpeg(400, 400));
    await run({ config: { formats: [{ width: 200, rename: { suffix: '-200' } }] } });
    expect(await listFiles(output())).to.deep.equal(['LOUD-200.jpg']);
    expect((await sharp(join(output(), 'LOUD-200.jpg')).metadata()).format).to.equal('jpeg');
  });

  it('emits an error naming the bad file when no onError is given, instead of stalling', async () => {
    await writeAt(input(), 'bad.jpg', HTML_PAGE);
    const plugin = responsive({ config: WEBP_200, concurrency: 1 });
    const errored = new Promise<SourceError>((resolve) => plugin.once('error', resolve));
    src('*.jpg', { cwd: input(), encoding: false }).pipe(plugin);
    const error = await within(10_000, errored, 'the error event');
    expect(error.message).to.contain('bad.jpg').and.match(/HTML/);
  });

  it('reports bad files to onError and still finishes with every good one', async () => {
    for (let i = 0; i < 5; i += 1) await writeAt(input(), `good-${i}.jpg`, await photoJpeg(300, 300 + i));
    await writeAt(input(), 'good-2a.jpg', HTML_PAGE);
    await writeAt(input(), 'good-4a.jpg', await truncatedJpeg());
    const failed: string[] = [];
    const built: string[] = [];
    await run({ config: WEBP_200, concurrency: 1, onError: (e) => failed.push(e.file), onSource: (r) => built.push(r.rel) });
    expect(failed.sort()).to.deep.equal(['good-2a.jpg', 'good-4a.jpg']);
    expect(built).to.have.length(5);
    expect(await listFiles(output())).to.have.length(5);
  });

  it('reports a file it cannot read as unreadable, not as an empty image', async () => {
    const missing = new Vinyl({ cwd: root, base: root, path: join(root, 'gone.jpg'), contents: null });
    const failed: string[] = [];
    await within(10_000, pipeline(Readable.from([missing]), responsive({ config: WEBP_200, onError: (e) => failed.push(e.reason) }),
      dest(output())), 'the pipeline');
    expect(failed).to.have.length(1);
    // chai's `not` sticks across `.and`, so the two checks are separate.
    expect(failed[0]).to.not.match(/empty file/);
    expect(failed[0]).to.match(/ENOENT|no such file|cannot read/i);
  });

  it('rejects bad options when the plugin is created, not mid-stream', async () => {
    expect(() => responsive({ config: { formats: [] } })).to.throw(/formats/);
  });

  it('passes the original through with includeOriginalFile', async () => {
    await writeAt(input(), 'keep.jpg', await photoJpeg(300, 300));
    await run({ config: { ...WEBP_200, includeOriginalFile: true } as ResponsiveOptions['config'] });
    expect(await listFiles(output())).to.deep.equal(['keep-200.webp', 'keep.jpg']);
  });
});
