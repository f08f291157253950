import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { formatBuildSummary } from '../../lib/images/build-summary';
import { listFiles, readManifestOf, runBuild } from '../helpers/build';
import { MARKER, jpegMarkers } from '../helpers/exif';
import { photoJpeg, privateJpeg } from '../helpers/fixtures';
import { albumSource, artistSource, outputKey } from '../helpers/paths';
import { useWorkspace, writeAt } from '../helpers/tmp';

/** A JPEG with camera EXIF and a GPS position but an sRGB profile: its hi-res is stripped, never decoded. */
async function gpsJpeg(): Promise<Buffer> {
  return sharp(await photoJpeg(600, 400)).withIccProfile('srgb')
    .withExif({ IFD0: { Make: 'LeakCam', Model: 'LeakCam 9' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
    .jpeg({ quality: 90 }).toBuffer();
}

const raw = (image: Buffer) => sharp(image).raw().toBuffer();

describe('gulp build: hi-res is the source itself where it can be', () => {
  const ws = useWorkspace('hi-res');

  it('copies a clean JPEG byte for byte, strips a GPS-tagged one losslessly, re-encodes a Display P3 one to sRGB, and counts each path', async () => {
    const clean = await photoJpeg(700, 700);
    const gps = await gpsJpeg();
    await writeAt(ws.current.src, albumSource('clean'), clean);
    await writeAt(ws.current.src, albumSource('gps'), gps);
    await writeAt(ws.current.src, albumSource('p3'), await privateJpeg(500, 500));
    const summary = await runBuild(ws.current);
    expect(summary.failures).to.deep.equal([]);
    expect(summary.hiRes).to.deep.include({ copied: 1, stripped: 1, reencoded: 1 });
    expect(Object.keys(summary.hiRes.reencodeReasons).join()).to.match(/P3|not sRGB/i);
    expect(formatBuildSummary(summary)).to.match(/hi-res: 1 published as is, 1 stripped of metadata \(no decode\), 1 re-encoded to sRGB/);

    const out = (slug: string) => readFile(join(ws.current.dest, outputKey('album', slug, 'hi-res')));
    expect((await out('clean')).equals(clean), 'clean: byte for byte').to.equal(true);
    const stripped = await out('gps');
    expect(stripped.includes('LeakCam') || stripped.includes('GPS'), 'no camera or GPS data').to.equal(false);
    expect(jpegMarkers(stripped)).to.not.include(MARKER.app1ExifOrXmp);
    expect((await sharp(stripped).metadata()).icc, 'the sRGB profile is kept').to.deep.equal((await sharp(gps).metadata()).icc);
    expect((await raw(stripped)).equals(await raw(gps)), 'stripped: the same pixels, no re-encode').to.equal(true);
    const p3 = await sharp(await out('p3')).metadata();
    expect([p3.space, p3.icc, p3.exif]).to.deep.equal(['srgb', undefined, undefined]);

    const manifest = await readManifestOf(ws.current);
    const path = (slug: string) => manifest.sources[albumSource(slug)]?.variants.find((v) => v.size === 'hi-res')?.passthrough;
    expect([path('clean'), path('gps'), path('p3')]).to.deep.equal(['copy', 'strip', 'reencode']);
  });

  it('publishes a .jpeg source under -hi-res.jpg as is, and encodes a PNG source to JPEG under -hi-res.jpg', async () => {
    const jpeg = await photoJpeg(300, 300);
    await writeAt(ws.current.src, artistSource('j', 'jpeg'), jpeg);
    await writeAt(ws.current.src, artistSource('p', 'png'), await sharp(jpeg).png().toBuffer());
    const summary = await runBuild(ws.current);
    expect(summary.failures).to.deep.equal([]);
    expect(await listFiles(ws.current.dest)).to.deep.equal(['j', 'p'].flatMap((slug) => ['avatar', 'hi-res', 'medium'].map((size) => outputKey('artist', slug, size))));
    expect((await readFile(join(ws.current.dest, outputKey('artist', 'j', 'hi-res')))).equals(jpeg)).to.equal(true);
    expect((await sharp(join(ws.current.dest, outputKey('artist', 'p', 'hi-res'))).metadata()).format).to.equal('jpeg');
    expect(summary.hiRes.reencodeReasons).to.have.property('a PNG source', 1);
  });

  it('ignores image files that are not named as sources, with one warning line naming them', async () => {
    await writeAt(ws.current.src, albumSource('real'), await photoJpeg(300, 300));
    await writeAt(ws.current.src, 'album/real/real-medium.jpg', await photoJpeg(200, 200));
    await writeAt(ws.current.src, 'album/real/cover.png', await photoJpeg(200, 200));
    await writeAt(ws.current.src, 'album/real/notes.json', Buffer.from('{}'));
    const summary = await runBuild(ws.current);
    expect(summary).to.include({ sources: 1, built: 1, failed: 0 });
    expect(summary.ignored).to.deep.equal({ count: 2, examples: ['album/real/cover.png', 'album/real/real-medium.jpg'] });
    const warnings = formatBuildSummary(summary).split('\n').filter((line) => line.startsWith('warning'));
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain('ignored 2 image file(s)').and.to.contain('album/real/real-medium.jpg');
    expect(await listFiles(ws.current.dest)).to.deep.equal([outputKey('album', 'real', 'hi-res'), outputKey('album', 'real', 'medium')]);
  });
});
