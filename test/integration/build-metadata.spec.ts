import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { listFiles, runBuild } from '../helpers/build';
import { MARKER, TAG, exifTags, jpegMarkers } from '../helpers/exif';
import { PRIVATE, privateJpeg } from '../helpers/fixtures';
import { artistSource as albumSource } from '../helpers/paths';
import { DEFAULT_IMAGE_CONFIG, withFormats } from '../../lib/images/config';
import { useWorkspace, writeAt } from '../helpers/tmp';

describe('gulp build: metadata', () => {
  const ws = useWorkspace('metadata');

  it('proves the fixture carries camera EXIF, a GPS position, XMP and an ICC profile', async () => {
    const source = await privateJpeg(900, 900);
    const meta = await sharp(source).metadata();
    const tags = exifTags(meta.exif as Buffer);
    expect(tags.ifd0.has(TAG.make) && tags.ifd0.has(TAG.model), 'camera make/model').to.equal(true);
    expect(tags.ifd0.has(TAG.gpsIfdPointer), 'GPS IFD pointer').to.equal(true);
    expect([...tags.gps]).to.include.members([TAG.gpsLatitudeRef, TAG.gpsLatitude]);
    expect(meta.xmp?.toString()).to.contain(PRIVATE.xmpMarker);
    expect(meta.icc?.length).to.be.above(0);
    expect(source.includes(PRIVATE.model)).to.equal(true);
  });

  for (const formats of [['jpeg'], ['jpeg', 'webp']] as const) {
    it(`strips EXIF, GPS, XMP, IPTC and ICC from every ${formats.join('+')} output`, async () => {
      await writeAt(ws.current.src, albumSource('private'), await privateJpeg(900, 900));
      const summary = await runBuild(ws.current, { config: withFormats(DEFAULT_IMAGE_CONFIG, formats) });
      expect(summary.failures).to.deep.equal([]);
      const outputs = await listFiles(ws.current.dest);
      expect(outputs).to.have.length(3 * formats.length);
      for (const rel of outputs) {
        const data = await readFile(join(ws.current.dest, rel));
        const meta = await sharp(data).metadata();
        expect({ exif: meta.exif, xmp: meta.xmp, iptc: meta.iptc, icc: meta.icc }, rel)
          .to.deep.equal({ exif: undefined, xmp: undefined, iptc: undefined, icc: undefined });
        // Metadata lives in the header; the entropy-coded image data after SOS can hold any 3 bytes by chance.
        const sos = rel.endsWith('.jpg') ? data.indexOf(Buffer.from([0xff, 0xda])) : -1;
        const header = sos > 0 ? data.subarray(0, sos) : data;
        for (const needle of [PRIVATE.make, PRIVATE.model, PRIVATE.xmpMarker, 'Exif\0\0', 'http://ns.adobe.com']) {
          expect(data.includes(needle), `${rel} contains ${JSON.stringify(needle)}`).to.equal(false);
        }
        if (rel.endsWith('.jpg')) expect(header.includes('GPS'), `${rel} header contains "GPS"`).to.equal(false);
        if (rel.endsWith('.jpg')) {
          const markers = jpegMarkers(data);
          for (const marker of [MARKER.app1ExifOrXmp, MARKER.app2Icc, MARKER.app13Iptc]) {
            expect(markers, `${rel} has APP segment 0x${marker.toString(16)}`).to.not.include(marker);
          }
        }
      }
    });
  }
});
