import { expect } from 'chai';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { listFiles, readManifestOf, runBuild4 } from '../helpers/build';
import { photoJpeg } from '../helpers/fixtures';
import { PHOTO, albumSource, outputKey } from '../helpers/paths';
import { useWorkspace, writeAt } from '../helpers/tmp';

const NFD_SLUG = 'Bjo\u0308rk & The +100% Band';
const NFC_SLUG = NFD_SLUG.normalize('NFC');

describe('gulp build: file names', () => {
  const ws = useWorkspace('names');

  it('keeps spaces, +, & and % and writes non-ASCII names as NFC (outputs and manifest keys)', async () => {
    expect(NFC_SLUG).to.not.equal(NFD_SLUG);
    await writeAt(ws.current.src, albumSource(NFD_SLUG), await photoJpeg(500, 500));
    const summary = await runBuild4(ws.current);
    expect(summary).to.include({ built: 1, failed: 0 });
    const dirs = await readdir(join(ws.current.dest, 'album'));
    expect(dirs).to.deep.equal([NFC_SLUG]);
    expect(await listFiles(ws.current.dest)).to.deep.equal(
      ['avatar', 'hi-res', 'medium', 'small'].map((size) => outputKey('album', NFC_SLUG, size)));
    const manifest = await readManifestOf(ws.current);
    expect(Object.keys(manifest.sources)).to.deep.equal([albumSource(NFC_SLUG)]);
    const entry = manifest.sources[albumSource(NFC_SLUG)];
    expect(entry?.slug).to.equal(NFC_SLUG);
    for (const v of entry?.variants ?? []) expect(v.key, v.key).to.equal(v.key.normalize('NFC'));
  });

  it('builds an NFD-named source as cached on the next run (the NFC key is stable)', async () => {
    await writeAt(ws.current.src, albumSource(NFD_SLUG), await photoJpeg(500, 500));
    await runBuild4(ws.current);
    expect(await runBuild4(ws.current)).to.include({ built: 0, cached: 1, hashed: 0 });
  });

  it('reports two sources whose names differ only by Unicode normalisation, naming the collision', async () => {
    const nfc = 'album/caf\u00e9/caf\u00e9-hi-res.jpg';
    const nfd = 'album/cafe\u0301/cafe\u0301-hi-res.jpg';
    await writeAt(ws.current.src, nfc, await photoJpeg(500, 500, PHOTO.landscape));
    await writeAt(ws.current.src, nfd, await photoJpeg(500, 500, PHOTO.bee));
    const names = await readdir(join(ws.current.src, 'album'));
    expect(names, 'the filesystem keeps both names').to.have.length(2);
    const summary = await runBuild4(ws.current);
    expect(summary.failed).to.equal(1);
    expect(summary.failures[0]?.file).to.equal(nfc);
    expect(summary.failures[0]?.reason).to.match(/NFC/);
  });

  it('reads an upper-case .JPG source and writes lower-case .jpg outputs', async () => {
    await writeAt(ws.current.src, albumSource('loud', 'JPG'), await photoJpeg(500, 500));
    const summary = await runBuild4(ws.current);
    expect(summary).to.include({ built: 1, failed: 0 });
    expect(await listFiles(ws.current.dest)).to.include(outputKey('album', 'loud', 'small'));
  });

  it('reports two sources that would write the same output files instead of letting one overwrite the other', async () => {
    // x-hi-res.jpg and x-hi-res.png both become album/x/x-small.jpg …
    await writeAt(ws.current.src, albumSource('x', 'jpg'), await photoJpeg(500, 500, PHOTO.landscape));
    await writeAt(ws.current.src, albumSource('x', 'png'), await photoJpeg(500, 500, PHOTO.bee));
    const summary = await runBuild4(ws.current);
    expect(summary.failed, 'one of the two is reported').to.equal(1);
    expect(summary.failures[0]?.reason).to.contain('album/x/x-');
    const manifest = await readManifestOf(ws.current);
    const owners = Object.values(manifest.sources).flatMap((s) => s.variants.map((v) => v.key));
    expect(owners.length, 'no key is claimed by two sources').to.equal(new Set(owners).size);
  });
});
