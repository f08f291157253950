import { expect } from 'chai';
import { join } from 'node:path';
import sharp from 'sharp';
import { readManifestOf, runBuild } from '../helpers/build';
import { CANONICAL, QUADRANT, orientedJpeg, quadrantPoints } from '../helpers/orientation';
import { artistSource as albumSource, outputKey } from '../helpers/paths';
import { colourDistance, decode, pixelAt } from '../helpers/pixels';
import { useWorkspace, writeAt } from '../helpers/tmp';

/** JPEG at q85 on flat colour blocks stays well within this of the source colour. */
const TOLERANCE = 40;

async function expectCanonical(image: Buffer | string, width: number, height: number, label: string): Promise<void> {
  const decoded = await decode(image);
  expect([decoded.width, decoded.height], `${label} size`).to.deep.equal([width, height]);
  const points = quadrantPoints(width, height);
  for (const [quadrant, [x, y]] of Object.entries(points) as [keyof typeof QUADRANT, [number, number]][]) {
    const got = pixelAt(decoded, x, y);
    expect(colourDistance(got, QUADRANT[quadrant]), `${label} ${quadrant} is ${got.join(',')}`).to.be.at.most(TOLERANCE);
  }
}

describe('gulp build: EXIF orientation', () => {
  const ws = useWorkspace('orientation');
  const slug = (n: number) => `orient-${n}`;

  for (const n of [2, 3, 4, 5, 6, 7, 8]) {
    it(`shows an orientation ${n} source upright and unmirrored in every output`, async () => {
      const stored = await orientedJpeg(n);
      const meta = await sharp(stored).metadata();
      expect(meta.orientation, 'the fixture carries its orientation tag').to.equal(n);
      const swapped = n >= 5;
      expect([meta.width, meta.height], 'stored frame').to.deep.equal(
        swapped ? [CANONICAL.height, CANONICAL.width] : [CANONICAL.width, CANONICAL.height]);
      if (!swapped) {
        // Guard against a fixture that already looks canonical (the test could not fail).
        const raw = await decode(await sharp(stored).png().toBuffer());
        const [x, y] = quadrantPoints(CANONICAL.width, CANONICAL.height).topLeft;
        expect(colourDistance(pixelAt(raw, x, y), QUADRANT.topLeft), 'stored top-left differs').to.be.above(TOLERANCE);
      }

      await writeAt(ws.current.src, albumSource(slug(n)), stored);
      const summary = await runBuild(ws.current);
      expect(summary.failures).to.deep.equal([]);
      // 320×200 canonical: hi-res keeps the frame (re-encoded upright); medium is never enlarged; avatar is a 128 px centre crop.
      await expectCanonical(join(ws.current.dest, outputKey('artist', slug(n), 'hi-res')), CANONICAL.width, CANONICAL.height, 'hi-res');
      await expectCanonical(join(ws.current.dest, outputKey('artist', slug(n), 'medium')), CANONICAL.width, CANONICAL.height, 'medium');
      await expectCanonical(join(ws.current.dest, outputKey('artist', slug(n), 'avatar')), 128, 128, 'avatar');
    });
  }

  it('records the displayed (oriented) dimensions in the manifest', async () => {
    await writeAt(ws.current.src, albumSource(slug(6)), await orientedJpeg(6));
    await runBuild(ws.current);
    const entry = (await readManifestOf(ws.current)).sources[albumSource(slug(6))];
    expect(entry).to.include({ width: CANONICAL.width, height: CANONICAL.height });
    expect(entry?.variants.find((v) => v.size === 'hi-res')).to.include({ width: CANONICAL.width, height: CANONICAL.height });
  });

  it('writes no orientation tag into outputs (they are already upright)', async () => {
    await writeAt(ws.current.src, albumSource(slug(8)), await orientedJpeg(8));
    await runBuild(ws.current);
    const meta = await sharp(join(ws.current.dest, outputKey('artist', slug(8), 'hi-res'))).metadata();
    expect(meta.orientation ?? 1).to.equal(1);
  });
});
