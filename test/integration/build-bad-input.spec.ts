import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { ConfigError } from '../../lib/errors';
import { listFiles, readManifestOf, runBuild4 } from '../helpers/build';
import { HTML_PAGE, ZERO_BYTES, crc32, pngBomb, truncatedJpeg } from '../helpers/bad-fixtures';
import { TRIO, photoJpeg, trioOutputs } from '../helpers/fixtures';
import { albumSource } from '../helpers/paths';
import { useWorkspace, writeAt, type Workspace } from '../helpers/tmp';

const BAD = {
  truncated: { label: 'truncated JPEG', rel: albumSource('truncated'), make: truncatedJpeg, reason: /truncated|corrupt/i },
  empty: { label: 'zero-byte file', rel: albumSource('empty'), make: async () => ZERO_BYTES, reason: /empty|0 bytes/i },
  html: { label: 'HTML page saved as .jpg', rel: albumSource('html'), make: async () => HTML_PAGE, reason: /HTML/ },
  bomb: { label: 'PNG claiming 60000×60000 pixels', rel: albumSource('bomb', 'png'), make: async () => pngBomb(60000, 60000), reason: /refused.*(100,000,000 pixels|100 megapixels)/ },
} as const;

async function writeGood(ws: Workspace): Promise<void> {
  for (const source of Object.values(TRIO)) await writeAt(ws.src, source.rel, await source.make());
}

describe('gulp build: bad input', () => {
  const ws = useWorkspace('bad');

  for (const [name, bad] of Object.entries(BAD)) {
    it(`reports a ${bad.label} once, by name and reason, and still builds every other image`, async () => {
      await writeGood(ws.current);
      await writeAt(ws.current.src, bad.rel, await bad.make());
      const summary = await runBuild4(ws.current);
      expect(summary).to.include({ sources: 4, built: 3, failed: 1 });
      expect(summary.failures).to.have.length(1);
      const [failure] = summary.failures;
      expect(failure?.file).to.equal(bad.rel);
      expect(failure?.reason).to.match(bad.reason);
      expect(failure?.reason, 'one line').to.not.contain('\n');
      const files = await listFiles(ws.current.dest);
      expect(files).to.include.members([...trioOutputs('a', 'jpg', 'four-size'), ...trioOutputs('b', 'jpg', 'four-size'), ...trioOutputs('r', 'jpg', 'four-size')]);
      expect(files.filter((f) => f.startsWith(`album/${name}/`))).to.deep.equal([]);
      expect((await readManifestOf(ws.current)).sources).to.not.have.property(bad.rel);
    });
  }

  it('reports every bad source in one run, each once', async () => {
    await writeGood(ws.current);
    for (const bad of Object.values(BAD)) await writeAt(ws.current.src, bad.rel, await bad.make());
    const summary = await runBuild4(ws.current);
    expect(summary).to.include({ sources: 7, built: 3, failed: 4 });
    expect(summary.failures.map((f) => f.file).sort()).to.deep.equal(Object.values(BAD).map((b) => b.rel).sort());
  });

  it('refuses the 60000×60000 PNG from its header: fast, naming the pixel limit, without allocating it', async () => {
    expect(crc32(Buffer.from('IEND')), 'CRC-32 of the IEND chunk type').to.equal(0xae426082);
    const small = await sharp(pngBomb(100, 70)).metadata();
    expect([small.format, small.width, small.height], 'the hand-made header is a valid PNG').to.deep.equal(['png', 100, 70]);
    const bomb = pngBomb(60000, 60000);
    expect(bomb.length).to.be.below(1000);
    await writeAt(ws.current.src, BAD.bomb.rel, bomb);
    const rssBefore = process.resourceUsage().maxRSS * 1024;
    const started = Date.now();
    const summary = await runBuild4(ws.current);
    const peakGrowth = process.resourceUsage().maxRSS * 1024 - rssBefore;
    expect(Date.now() - started).to.be.below(3000);
    // The configured limit (100 megapixels), in either spelling.
    expect(summary.failures[0]?.reason).to.match(/refused/).and.match(/100,000,000 pixels|100 megapixels limit/);
    expect(peakGrowth, `peak RSS grew by ${(peakGrowth / 1e6).toFixed(0)} MB`).to.be.below(300e6);
  });

  it('refuses a real image over a lowered maxPixels and names the limit', async () => {
    await writeAt(ws.current.src, albumSource('big'), await photoJpeg(1000, 1000));
    const summary = await runBuild4(ws.current, { config: { maxPixels: 500_000 } });
    expect(summary).to.include({ failed: 1, built: 0 });
    expect(summary.failures[0]?.reason).to.match(/limit/i);
  });

  it('does not claim a raised maxPixels was exceeded by a smaller image', async () => {
    // 400 megapixels, under a 1,000 megapixel limit: whatever fails (the pixel data is fake), it is not the limit.
    await writeAt(ws.current.src, BAD.bomb.rel, pngBomb(20000, 20000));
    const summary = await runBuild4(ws.current, { config: { maxPixels: 1_000_000_000 } });
    expect(summary.failed).to.equal(1);
    expect(summary.failures[0]?.reason).to.not.match(/limit|more than 1,000,000,000/);
  });

  it('fails fast, naming the folder, when the source folder does not exist', async () => {
    const missing = join(ws.current.root, 'no-such-public');
    let error: unknown;
    await runBuild4(ws.current, { src: missing }).catch((e: unknown) => { error = e; });
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).message).to.contain(missing);
  });

  it('finishes when a bad file sits among many good ones at low concurrency (no stall)', async function () {
    this.timeout(20_000);
    for (let i = 0; i < 8; i += 1) await writeAt(ws.current.src, albumSource(`good-${i}`), await photoJpeg(300 + i, 300 + i));
    await writeAt(ws.current.src, albumSource('good-3x'), HTML_PAGE);
    await writeAt(ws.current.src, albumSource('good-5x'), await truncatedJpeg());
    const summary = await runBuild4(ws.current, { concurrency: 1 });
    expect(summary).to.include({ sources: 10, built: 8, failed: 2 });
  });

  it('keeps the previous outputs of a source that turned bad, and its manifest entry', async () => {
    await writeGood(ws.current);
    await runBuild4(ws.current);
    const before = (await readManifestOf(ws.current)).sources[TRIO.a.rel];
    await writeFile(join(ws.current.src, TRIO.a.rel), await truncatedJpeg());
    const summary = await runBuild4(ws.current);
    expect(summary).to.include({ failed: 1, outputsRemoved: 0 });
    for (const key of trioOutputs('a', 'jpg', 'four-size')) expect(existsSync(join(ws.current.dest, key)), key).to.equal(true);
    expect((await readManifestOf(ws.current)).sources[TRIO.a.rel]).to.deep.equal(before);
  });
});
