import { expect } from 'chai';
import { join } from 'node:path';
import sharp from 'sharp';
import { PRESETS, type ImageConfig } from '../../lib/images/config';
import { backdateOutputs, listFiles, readManifestOf, rewrittenOutputs, runBuild4 } from '../helpers/build';
import { TRIO, trioOutputs } from '../helpers/fixtures';
import { useWorkspace, writeAt, type Workspace } from '../helpers/tmp';

const WITH_WEBP: Partial<ImageConfig> = { formats: ['jpeg', 'webp'] };
const ALL_JPEG = [...trioOutputs('a', 'jpg', 'four-size'), ...trioOutputs('b', 'jpg', 'four-size'), ...trioOutputs('r', 'jpg', 'four-size')].sort();
const ALL_WEBP = [...trioOutputs('a', 'webp', 'four-size'), ...trioOutputs('b', 'webp', 'four-size'), ...trioOutputs('r', 'webp', 'four-size')].sort();

async function buildTrio(ws: Workspace, config: Partial<ImageConfig> = {}): Promise<void> {
  for (const source of Object.values(TRIO)) await writeAt(ws.src, source.rel, await source.make());
  const first = await runBuild4(ws, { config });
  expect(first).to.include({ built: 3, failed: 0 });
  await backdateOutputs(ws);
}

describe('gulp build: config changes rebuild exactly the affected variants', () => {
  const ws = useWorkspace('config');

  it('renders only the WebP renditions when webp is added to the formats', async () => {
    await buildTrio(ws.current);
    const summary = await runBuild4(ws.current, { config: WITH_WEBP });
    expect(summary).to.include({ outputsWritten: 12, hashed: 0, failed: 0 });
    expect(await rewrittenOutputs(ws.current)).to.deep.equal(ALL_WEBP);
    const variants = Object.values((await readManifestOf(ws.current)).sources).flatMap((s) => s.variants);
    expect(variants).to.have.length(24);
  });

  it('removes the WebP files and their manifest entries when webp is dropped, rendering nothing', async () => {
    await buildTrio(ws.current, WITH_WEBP);
    const summary = await runBuild4(ws.current);
    expect(summary).to.include({ built: 0, outputsWritten: 0, outputsRemoved: 12 });
    expect(await listFiles(ws.current.dest)).to.deep.equal(ALL_JPEG);
    const variants = Object.values((await readManifestOf(ws.current)).sources).flatMap((s) => s.variants);
    expect(variants.map((v) => v.format)).to.not.include('webp');
  });

  it('re-renders only the size whose width changed, at the new size', async () => {
    await buildTrio(ws.current);
    const sizes = PRESETS['four-size'].sizes.map((s) => (s.name === 'small' ? { ...s, width: 300, height: 300 } : s));
    const summary = await runBuild4(ws.current, { config: { sizes } });
    expect(summary).to.include({ outputsWritten: 3, failed: 0 });
    const smalls = ALL_JPEG.filter((k) => k.endsWith('-small.jpg'));
    expect(await rewrittenOutputs(ws.current)).to.deep.equal(smalls);
    for (const key of smalls) {
      const meta = await sharp(join(ws.current.dest, key)).metadata();
      expect([meta.width, meta.height], key).to.deep.equal([300, 300]);
    }
    const entry = (await readManifestOf(ws.current)).sources[TRIO.a.rel];
    expect(entry?.variants.find((v) => v.size === 'small')).to.include({ width: 300, height: 300 });
  });

  it('adds the newly possible size when a size shrinks below the source (and nothing else)', async () => {
    await buildTrio(ws.current);
    const sizes = PRESETS['four-size'].sizes.map((s) => (s.name === 'medium' ? { ...s, width: 480, height: 480 } : s));
    const summary = await runBuild4(ws.current, { config: { sizes } });
    expect(summary.outputsWritten).to.equal(3);
    expect(await rewrittenOutputs(ws.current)).to.deep.equal(['album/a/a-medium.jpg', 'album/b/b-medium.jpg', 'artist/r/r-medium.jpg']);
  });

  it('re-renders only the JPEGs when the JPEG quality changes', async () => {
    await buildTrio(ws.current, WITH_WEBP);
    const summary = await runBuild4(ws.current, { config: { ...WITH_WEBP, jpeg: { ...PRESETS['four-size'].jpeg, quality: 70 } } });
    expect(summary.outputsWritten).to.equal(12);
    expect(await rewrittenOutputs(ws.current)).to.deep.equal(ALL_JPEG);
  });

  it('re-renders only the JPEGs when the flatten background changes (WebP keeps its alpha)', async () => {
    await buildTrio(ws.current, WITH_WEBP);
    const summary = await runBuild4(ws.current, { config: { ...WITH_WEBP, background: '#000000' } });
    expect(await rewrittenOutputs(ws.current)).to.deep.equal(ALL_JPEG);
    expect(summary.outputsWritten).to.equal(12);
  });
});
