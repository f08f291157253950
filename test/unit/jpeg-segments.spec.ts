import { expect } from 'chai';
import sharp from 'sharp';
import { JpegFormatError } from '../../lib/errors';
import { exifOrientation } from '../../lib/images/exif-orientation';
import { iccProfileName, isSrgbProfile } from '../../lib/images/icc-profile';
import { jpegFacts } from '../../lib/images/jpeg-facts';
import { readJpegSegments, segmentPayload } from '../../lib/images/jpeg-segments';
import {
  afterSoi, beforeScan, betweenScans, commentSegment, exifSegment, extendedXmpSegment, iccProfile, iccSegments, iptcSegment,
  jfifSegment, jfxxSegment, mpfSegment, otherAppSegment, segment, xmpSegment,
} from '../helpers/jpeg-build';
import { photoJpeg } from '../helpers/fixtures';
import { PHOTO } from '../helpers/paths';

function expectFormatError(jpeg: Buffer, message: RegExp): void {
  expect(() => readJpegSegments(jpeg)).to.throw(JpegFormatError, message);
}

async function iccOf(image: Buffer | string): Promise<Buffer> {
  const { icc } = await sharp(image).metadata();
  if (!icc) throw new Error('fixture has no ICC profile');
  return icc;
}

const small = () => sharp(PHOTO.landscape).resize(48, 32);

describe('JPEG hi-res passthrough: segments, facts and ICC profiles', () => {
  let plain: Buffer;
  let progressive: Buffer;
  before(async () => {
    plain = await photoJpeg(48, 32);
    progressive = await small().jpeg({ progressive: true }).toBuffer();
  });

  describe('readJpegSegments', () => {
    it('lists the segments of a plain sharp JPEG up to SOS, and finds the EOI at the end', async () => {
      const layout = readJpegSegments(plain);
      expect(layout.segments.map((s) => s.marker)).to.deep.equal([0xdb, 0xdb, 0xc0, 0xc4, 0xc4, 0xc4, 0xc4, 0xda]);
      expect(layout.segments[0]).to.deep.equal({ marker: 0xdb, offset: 2, length: 69 });
      expect(layout.scanStart).to.equal(layout.segments[7]?.offset);
      expect(layout.eoi).to.equal(plain.length - 2);
      expect(layout.trailingBytes).to.equal(0);
    });

    it('names each APPn by its identifier, and only in its own APP number', async () => {
      const jpeg = afterSoi(plain, [jfifSegment(), jfxxSegment(), exifSegment(1, 'II'), xmpSegment('<x/>'), extendedXmpSegment(),
        ...iccSegments(iccProfile({ description: 'sRGB' }), 1000), mpfSegment(), iptcSegment(), segment(0xee, 'Adobe\0\x64\0\0\0\0\x01'),
        otherAppSegment(12), segment(0xe3, 'Exif\0\0'), segment(0xe1, '')]);
      const apps = readJpegSegments(jpeg).segments.filter((s) => s.app).map((s) => s.app);
      expect(apps).to.deep.equal(['JFIF', 'JFXX', 'Exif', 'XMP', 'ExtendedXMP', 'ICC_PROFILE', 'MPF', 'Photoshop', 'Adobe', 'other', 'other', 'other']);
      expect(segmentPayload(jpeg, readJpegSegments(jpeg).segments[0]!).toString('latin1', 0, 5)).to.equal('JFIF\0');
    });

    it('skips fill bytes before a marker and accepts standalone markers (TEM, RSTn) in the header', async () => {
      const jpeg = Buffer.concat([plain.subarray(0, 2), Buffer.from([0xff, 0xff, 0xff, 0x01, 0xff, 0xd3]), Buffer.from([0xff, 0xff]), plain.subarray(2)]);
      const { segments } = readJpegSegments(jpeg);
      expect(segments.slice(0, 3).map((s) => [s.marker, s.offset, s.length])).to.deep.equal([[0x01, 4, 2], [0xd3, 6, 2], [0xdb, 10, 69]]);
    });

    it('walks the scans of a progressive JPEG, listing the DHT and SOS between them (and metadata put there)', async () => {
      const jpeg = betweenScans(progressive, [commentSegment('between scans')]);
      const layout = readJpegSegments(jpeg);
      const afterFirstScan = layout.segments.filter((s) => s.offset > layout.scanStart).map((s) => s.marker);
      expect(afterFirstScan).to.include.members([0xfe, 0xda, 0xc4]);
      expect(layout.eoi).to.equal(jpeg.length - 2);
    });

    it('ends the image at its own EOI, not at the last FF D9: an appended image (MPF) is trailing bytes', async () => {
      const jpeg = Buffer.concat([afterSoi(plain, [mpfSegment()]), plain]);
      const layout = readJpegSegments(jpeg);
      expect(layout.eoi).to.equal(plain.length + mpfSegment().length - 2);
      expect(layout.trailingBytes).to.equal(plain.length);
    });

    it('ignores FF D9 inside a table (a quantisation value of 255 then 217)', async () => {
      const dqt = segment(0xdb, Buffer.concat([Buffer.from([0x00]), Buffer.alloc(62, 1), Buffer.from([0xff, 0xd9])]));
      expect(readJpegSegments(beforeScan(plain, [dqt])).eoi).to.equal(plain.length + dqt.length - 2);
    });

    it('refuses what is not a JPEG, or stops being one, with a JpegFormatError naming the byte', async () => {
      expectFormatError(await small().png().toBuffer(), /^not a JPEG: no SOI marker$/);
      expectFormatError(Buffer.alloc(0), /no SOI/);
      expectFormatError(Buffer.from([0xff]), /no SOI/);
      expectFormatError(plain.subarray(0, 2), /ends at byte 2 before any scan/);
      expectFormatError(plain.subarray(0, 40), /^segment at byte 2 runs past the end of the file$/);
      expectFormatError(plain.subarray(0, 5), /segment at byte 2 runs past the end/);
      expectFormatError(plain.subarray(0, plain.length - 2), /inside the image data, with no EOI marker \(cut off\?\)/);
      expectFormatError(afterSoi(plain, [Buffer.from([0xff, 0xfe, 0x00, 0x00])]), /segment 0xfe at byte 2 has length 0 \(at least 2\)/);
      expectFormatError(afterSoi(plain, [Buffer.from([0xff, 0xe1, 0x00, 0x01])]), /has length 1/);
      expectFormatError(afterSoi(plain, [Buffer.from([0xff, 0xd9])]), /EOI at byte 2 before any scan/);
      expectFormatError(afterSoi(plain, [Buffer.from([0xff, 0xd8])]), /a second SOI marker at byte 2/);
      expectFormatError(afterSoi(plain, [Buffer.from([0x12])]), /byte 2: expected a marker \(FF\), found 0x12/);
      expectFormatError(afterSoi(plain, [Buffer.from([0xff, 0x00])]), /byte 2: FF 00 where a marker was expected/);
      expectFormatError(afterSoi(plain, [Buffer.from([0xff, 0xe1, 0xff, 0xff])]), /segment at byte 2 runs past the end/);
    });
  });

  describe('jpegFacts', () => {
    it('reads the EXIF orientation in both byte orders; no tag means 1', async () => {
      for (const order of ['II', 'MM'] as const) {
        for (let orientation = 1; orientation <= 8; orientation += 1) {
          expect(jpegFacts(afterSoi(plain, [exifSegment(orientation, order)])).orientation, `${order} ${orientation}`).to.equal(orientation);
        }
        expect(jpegFacts(afterSoi(plain, [exifSegment(undefined, order)])).orientation).to.equal(1);
      }
      expect(jpegFacts(plain).orientation).to.equal(1);
      expect(jpegFacts(await small().withMetadata({ orientation: 6 }).jpeg().toBuffer()).orientation).to.equal(6);
    });

    it('calls a damaged EXIF block\'s orientation unknown and says why, never throwing', async () => {
      const bogus = jpegFacts(afterSoi(plain, [exifSegment(6, 'MM', 0x7fffffff)]));
      expect(bogus.orientation).to.equal(undefined);
      expect(bogus.problems).to.deep.equal(['its EXIF block is damaged (IFD0 offset 2147483647 is outside the block)']);
      expect(exifOrientation(Buffer.from('Exif\0\0XX*\0'))).to.deep.equal({ problem: 'no TIFF header' });
      expect(exifOrientation(exifSegment(9, 'II').subarray(4))).to.deep.equal({ problem: 'the orientation tag is not a single value 1–8' });
      const cut = exifSegment(6, 'II').subarray(0, 24);
      cut.writeUInt16BE(cut.length - 2, 2);
      expect(jpegFacts(afterSoi(plain, [cut])).problems).to.deep.equal(['its EXIF block is damaged (IFD0 runs past the block)']);
    });

    it('reassembles an ICC profile from chunks in any order, byte for byte, and names a missing or clashing chunk', async () => {
      const profile = await iccOf(PHOTO.bridge);
      expect(profile.length).to.equal(6876);
      const chunks = iccSegments(profile, 2000, [2, 0, 3, 1]);
      expect(jpegFacts(afterSoi(plain, chunks)).icc?.equals(profile)).to.equal(true);
      expect(jpegFacts(afterSoi(plain, [chunks[0]!, chunks[1]!, chunks[3]!])).problems).to.deep.equal(['its ICC profile is damaged (chunk 4 of 4 is missing)']);
      expect(jpegFacts(afterSoi(plain, [...chunks, chunks[1]!])).problems).to.deep.equal(['its ICC profile is damaged (chunk 1 of 4 appears twice)']);
      expect(jpegFacts(afterSoi(plain, [...chunks, ...iccSegments(profile, 3000)])).problems[0]).to.match(/disagree on their count: 4 and 3\)$/);
      expect(jpegFacts(afterSoi(plain, [segment(0xe2, 'ICC_PROFILE\0\x05\x04')])).problems).to.deep.equal(['its ICC profile is damaged (chunk number 5 of 4 is out of range)']);
      expect(jpegFacts(afterSoi(plain, [segment(0xe2, 'ICC_PROFILE\0')])).icc).to.equal(undefined);
    });

    it('reads the components and Adobe transform: CMYK, YCCK, greyscale, YCbCr, RGB', async () => {
      const cmyk = await small().toColourspace('cmyk').jpeg().toBuffer();
      expect(jpegFacts(cmyk)).to.include({ adobeTransform: 0, colour: 'CMYK' });
      expect(jpegFacts(cmyk).frame).to.include({ components: 4, precision: 8, width: 48, height: 32 });
      const adobe = readJpegSegments(cmyk).segments.find((s) => s.app === 'Adobe')!;
      const ycck = Buffer.from(cmyk);
      ycck[adobe.offset + 4 + 11] = 2;
      expect(jpegFacts(ycck)).to.include({ adobeTransform: 2, colour: 'YCCK' });
      expect(jpegFacts(await small().toColourspace('b-w').jpeg().toBuffer())).to.include({ colour: 'grey', adobeTransform: undefined });
      expect(jpegFacts(plain).colour).to.equal('YCbCr');
      expect(jpegFacts(afterSoi(plain, [segment(0xee, 'Adobe\0\x64\0\0\0\0\0')])).colour).to.equal('RGB');
      expect(jpegFacts(afterSoi(plain, [segment(0xee, 'Adobe')])).problems).to.deep.equal(['its Adobe APP14 segment is too short']);
    });

    it('flags EXIF, XMP, IPTC, comments and other APPn, and labels what a strip drops', async () => {
      expect(jpegFacts(plain)).to.include({ hasExif: false, hasXmp: false, hasIptc: false, hasComment: false, hasOtherApp: false });
      const jpeg = afterSoi(plain, [jfifSegment(), exifSegment(1, 'II'), extendedXmpSegment(), iptcSegment(), commentSegment('hi'),
        mpfSegment(), otherAppSegment(12), jfxxSegment(), segment(0xee, 'Adobe\0\x64\0\0\0\0\x01')]);
      expect(jpegFacts(jpeg)).to.include({ hasExif: true, hasXmp: true, hasIptc: true, hasComment: true, hasOtherApp: true });
      expect(jpegFacts(jpeg).dropped).to.deep.equal(['EXIF', 'XMP', 'IPTC', 'comment', 'MPF', 'APP12', 'JFXX thumbnail']);
      expect(jpegFacts(afterSoi(plain, [jfifSegment(), segment(0xee, 'Adobe\0\x64\0\0\0\0\x01')])).hasOtherApp).to.equal(false);
    });

    it('reports a missing or repeated frame header as a problem', async () => {
      const noFrame = Buffer.concat([Buffer.from([0xff, 0xd8]), segment(0xda, '\x01\x01\x00\x00\x3f\x00'), Buffer.from([0x12, 0xff, 0xd9])]);
      expect(jpegFacts(noFrame).problems).to.deep.equal(['it has no frame header (SOF)']);
      const sof = readJpegSegments(plain).segments.find((s) => s.marker === 0xc0)!;
      expect(jpegFacts(beforeScan(plain, [plain.subarray(sof.offset, sof.offset + sof.length)])).problems).to.deep.equal(['it has 2 frame headers (SOF)']);
    });
  });

  describe('isSrgbProfile', () => {
    it('accepts sharp\'s sRGB (v4 mluc "sRGB") and the photos\' v2 "sRGB built-in" and "sRGB IEC61966-2.1"', async () => {
      expect(isSrgbProfile(await iccOf(await small().withIccProfile('srgb').jpeg().toBuffer()))).to.equal(true);
      for (const photo of [PHOTO.bridge, PHOTO.bee]) expect(isSrgbProfile(await iccOf(photo)), photo).to.equal(true);
    });

    it('accepts sRGB under its usual names, v2 or v4', async () => {
      for (const description of ['sRGB IEC61966-2.1', 'sRGB built-in', 'sRGB v4 ICC preference perceptual intent beta', 'sRGB2014', 'IEC 61966-2.1 Default RGB colour space - sRGB']) {
        for (const version of [2, 4] as const) expect(isSrgbProfile(iccProfile({ description, version })), `${description} v${version}`).to.equal(true);
      }
    });

    it('refuses Display P3, Adobe RGB, ProPhoto, e-sRGB, scRGB, CMYK and greyscale profiles', async () => {
      const p3 = await iccOf(await small().withIccProfile('p3').jpeg().toBuffer());
      expect(isSrgbProfile(p3)).to.equal(false);
      expect(iccProfileName(p3)).to.equal('Display P3');
      expect(isSrgbProfile(await iccOf(await small().withIccProfile('cmyk').jpeg().toBuffer()))).to.equal(false);
      for (const description of ['Display P3', 'Adobe RGB (1998)', 'ProPhoto RGB', 'e-sRGB', 'scRGB', 'DCI-P3']) {
        expect(isSrgbProfile(iccProfile({ description, version: 4 })), description).to.equal(false);
      }
      expect(isSrgbProfile(iccProfile({ description: 'sRGB', colourSpace: 'GRAY' }))).to.equal(false);
      expect(isSrgbProfile(iccProfile({ description: 'sRGB', colourSpace: 'CMYK' }))).to.equal(false);
      expect(iccProfileName(iccProfile({ description: '', colourSpace: 'CMYK' }))).to.equal('an unnamed CMYK profile');
    });

    it('calls a malformed profile not sRGB', async () => {
      const good = iccProfile({ description: 'sRGB', version: 4 });
      const damaged = (at: number, value: number) => {
        const copy = Buffer.from(good);
        copy.writeUInt32BE(value, at);
        return copy;
      };
      for (const bad of [Buffer.alloc(0), good.subarray(0, 130), good.subarray(0, good.length - 1), damaged(36, 0), damaged(0, 1e9),
        damaged(128, 1e6), damaged(136, 1e9), damaged(140, 0x7fffffff), damaged(144 + 8, 1e6), damaged(144 + 20, 1e9), damaged(144 + 24, 1e9)]) {
        expect(isSrgbProfile(bad)).to.equal(false);
      }
      expect(iccProfileName(Buffer.alloc(10))).to.equal('unreadable');
    });
  });
});

