import { expect } from 'chai';
import { UsageError } from '../../lib/errors';
import { DEFAULT_IMAGE_CONFIG } from '../../lib/images/config';
import { plannerFromSharpResponsive, type SharpResponsiveOptions } from '../../lib/images/sharp-responsive-options';
import { parseSourcePath } from '../../lib/images/source-path';

const at = (rel: string) => parseSourcePath(rel, '-hi-res');
const plan = (options: SharpResponsiveOptions, rel: string, width: number, height: number) =>
  plannerFromSharpResponsive(options)(at(rel), { width, height });

describe('plannerFromSharpResponsive', () => {
  it('renames with the suffix and takes the format\'s extension and content type', async () => {
    const [v, ...rest] = plan({ formats: [{ width: 200, format: 'webp', rename: { suffix: '-200' } }] }, 'album/x/cover.jpg', 1000, 500);
    expect(rest).to.deep.equal([]);
    expect(v).to.include({ key: 'album/x/cover-200.webp', format: 'webp', contentType: 'image/webp', width: 200, height: 100, fit: 'inside' });
  });

  it('plans nothing for a width larger than the source (no upscaling)', async () => {
    expect(plan({ formats: [{ width: 200, format: 'webp' }] }, 'a.jpg', 150, 150)).to.deep.equal([]);
  });

  it('plans nothing for a cover box taller than the source', async () => {
    expect(plan({ formats: [{ width: 200, height: 200, fit: 'cover' }] }, 'a.jpg', 400, 150)).to.deep.equal([]);
  });

  it('keeps the source format when none is given, for an upper-case .JPG too', async () => {
    const [v] = plan({ formats: [{ width: 100, rename: { suffix: '-100' } }] }, 'album/x/COVER.JPG', 400, 400);
    expect(v).to.include({ format: 'jpeg', key: 'album/x/COVER-100.jpg', contentType: 'image/jpeg' });
  });

  it('reads format "jpg" as JPEG', async () => {
    expect(plan({ formats: [{ width: 100, format: 'jpg' }] }, 'a.png', 400, 400)[0]?.format).to.equal('jpeg');
  });

  it('computes a width from a function of the oriented dimensions', async () => {
    const [v] = plan({ formats: [{ width: (m) => m.width / 2, format: 'webp' }] }, 'a.jpg', 600, 300);
    expect(v).to.include({ width: 300, height: 150 });
  });

  it('merges jpegOptions over the default JPEG options', async () => {
    const [v] = plan({ formats: [{ width: 100, format: 'jpeg', jpegOptions: { quality: 60 } }] }, 'a.jpg', 400, 400);
    expect(v?.encoder.options).to.deep.equal({ ...DEFAULT_IMAGE_CONFIG.jpeg, quality: 60 });
  });

  it('honours rename.dirname, prefix and basename', async () => {
    const [v] = plan({ formats: [{ width: 100, format: 'webp', rename: { dirname: 'thumbs', prefix: 't-', basename: 'b' } }] }, 'album/x/a.jpg', 400, 400);
    expect(v?.key).to.equal('thumbs/t-b.webp');
  });

  it('lists several formats largest first', async () => {
    const widths = plan({ formats: [{ width: 100, format: 'webp' }, { width: 300, format: 'webp', rename: { suffix: '-300' } }] }, 'a.jpg', 400, 400)
      .map((v) => v.width);
    expect(widths).to.deep.equal([300, 100]);
  });

  it('rejects bad options at construction, before any file is read', async () => {
    expect(() => plannerFromSharpResponsive({ formats: [] })).to.throw(UsageError, /non-empty `formats`/);
    expect(() => plannerFromSharpResponsive({ formats: [{ width: 0 }] })).to.throw(UsageError, /width 0/);
    expect(() => plannerFromSharpResponsive({ formats: [{ width: 10.5 }] })).to.throw(UsageError, /width 10.5/);
    const extname = { formats: [{ width: 10, rename: { extname: '.png' } }] } as unknown as SharpResponsiveOptions;
    expect(() => plannerFromSharpResponsive(extname)).to.throw(UsageError, /rename.extname/);
  });

  it('names the unsupported format of a source it cannot keep', async () => {
    expect(() => plan({ formats: [{ width: 10 }] }, 'a.gif', 100, 100)).to.throw(UsageError, /format "gif"/);
  });
});
