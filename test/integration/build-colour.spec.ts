import { expect } from 'chai';
import { join } from 'node:path';
import sharp from 'sharp';
import { runBuild } from '../helpers/build';
import { alphaPng, cmykJpeg, greyJpeg, png16, type Rgb } from '../helpers/fixtures';
import { artistSource as albumSource, outputKey } from '../helpers/paths';
import { colourDistance, decode, pixelAt } from '../helpers/pixels';
import { useWorkspace, writeAt } from '../helpers/tmp';

/** Artists have every size of the default recipe. */
const SIZES = ['hi-res', 'medium', 'avatar'];

describe('gulp build: colour', () => {
  const ws = useWorkspace('colour');
  const out = (slug: string, size: string) => join(ws.current.dest, outputKey('artist', slug, size));

  async function expectSrgb8(slug: string, sizes = SIZES): Promise<void> {
    for (const size of sizes) {
      const meta = await sharp(out(slug, size)).metadata();
      expect({ space: meta.space, channels: meta.channels, depth: meta.depth }, `${slug} ${size}`)
        .to.deep.equal({ space: 'srgb', channels: 3, depth: 'uchar' });
    }
  }

  it('converts a CMYK JPEG to 3-channel sRGB with its colour intact', async () => {
    const red: Rgb = [200, 30, 30];
    const source = await cmykJpeg(900, 900, red);
    expect((await sharp(source).metadata()).space, 'fixture is CMYK').to.equal('cmyk');
    await writeAt(ws.current.src, albumSource('cmyk'), source);
    const summary = await runBuild(ws.current);
    expect(summary.failures).to.deep.equal([]);
    await expectSrgb8('cmyk');
    const pixel = pixelAt(await decode(out('cmyk', 'medium')), 200, 200);
    expect(colourDistance(pixel, red), `got ${pixel.join(',')}`).to.be.at.most(40);
  });

  it('converts a one-channel greyscale JPEG to 3-channel sRGB', async () => {
    const source = await greyJpeg(900, 600);
    const meta = await sharp(source).metadata();
    expect([meta.space, meta.channels], 'fixture is greyscale').to.deep.equal(['b-w', 1]);
    await writeAt(ws.current.src, albumSource('grey'), source);
    const summary = await runBuild(ws.current);
    expect(summary.failures).to.deep.equal([]);
    await expectSrgb8('grey');
    const [r, g, b] = pixelAt(await decode(out('grey', 'medium')), 100, 100);
    expect(Math.max(r, g, b) - Math.min(r, g, b), 'still grey').to.be.at.most(6);
  });

  it('reduces a 16-bit PNG to 8 bits per channel without clipping its colour', async () => {
    const colour: Rgb = [200, 100, 50];
    const source = await png16(600, 600, colour);
    const meta = await sharp(source).metadata();
    expect([meta.depth, meta.format], 'fixture is 16-bit PNG').to.deep.equal(['ushort', 'png']);
    await writeAt(ws.current.src, albumSource('deep', 'png'), source);
    const summary = await runBuild(ws.current);
    expect(summary.failures).to.deep.equal([]);
    await expectSrgb8('deep');
    const pixel = pixelAt(await decode(out('deep', 'hi-res')), 300, 300);
    expect(colourDistance(pixel, colour), `got ${pixel.join(',')}`).to.be.at.most(12);
  });

  it('flattens a transparent PNG onto white for JPEG (not black)', async () => {
    const source = await alphaPng(600, [20, 60, 200]);
    const meta = await sharp(source).metadata();
    expect([meta.hasAlpha, meta.channels], 'fixture has alpha').to.deep.equal([true, 4]);
    await writeAt(ws.current.src, albumSource('alpha', 'png'), source);
    const summary = await runBuild(ws.current);
    expect(summary.failures).to.deep.equal([]);
    for (const size of SIZES) {
      const decoded = await decode(out('alpha', size));
      expect(decoded.channels, size).to.equal(3);
      const corner = pixelAt(decoded, 2, 2);
      expect(colourDistance(corner, [255, 255, 255]), `${size} corner is ${corner.join(',')}`).to.be.at.most(8);
      const centre = pixelAt(decoded, decoded.width / 2, decoded.height / 2);
      expect(colourDistance(centre, [20, 60, 200]), `${size} centre is ${centre.join(',')}`).to.be.at.most(30);
    }
  });

  it('flattens onto the configured background colour', async () => {
    await writeAt(ws.current.src, albumSource('alpha-bg', 'png'), await alphaPng(600, [20, 60, 200]));
    await runBuild(ws.current, { config: { background: '#ff8000' } });
    const corner = pixelAt(await decode(out('alpha-bg', 'hi-res')), 2, 2);
    expect(colourDistance(corner, [255, 128, 0]), `corner is ${corner.join(',')}`).to.be.at.most(10);
  });
});
