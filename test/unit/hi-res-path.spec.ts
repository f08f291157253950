import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { JpegFormatError } from '../../lib/errors';
import { hiResPath, type HiResPath } from '../../lib/images/hi-res-path';
import { readJpegSegments } from '../../lib/images/jpeg-segments';
import { stripMetadata } from '../../lib/images/jpeg-strip';
import { photoJpeg, privateJpeg } from '../helpers/fixtures';
import {
  afterSoi, betweenScans, commentSegment, exifSegment, iccSegments, iptcSegment, jfifSegment, mpfSegment, otherAppSegment, segment,
} from '../helpers/jpeg-build';
import { expectLosslessStrip } from '../helpers/lossless-strip';
import { PHOTO } from '../helpers/paths';

const small = () => sharp(PHOTO.landscape).resize(48, 32);
const XMP = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>';

/** `jpeg` with its frame header's marker or precision byte replaced. */
async function withFrameByte(field: 'marker' | 'precision', value: number): Promise<Buffer> {
  const jpeg = Buffer.from(await photoJpeg(48, 32));
  const sof = readJpegSegments(jpeg).segments.find((s) => s.marker === 0xc0)!;
  jpeg[field === 'marker' ? sof.offset + 1 : sof.offset + 4] = value;
  return jpeg;
}

/** What an MPF file appends after its first image's EOI: another JPEG, with metadata of its own. */
const secondImage = () => small().withExif({ IFD0: { Make: 'Secret' } }).jpeg().toBuffer();

/** Named sources and the path each must take. */
const CASES: ReadonlyArray<readonly [string, () => Promise<Buffer>, HiResPath]> = [
  ['a plain sharp JPEG', () => photoJpeg(48, 32), { path: 'copy' }],
  ['a progressive JPEG', () => small().jpeg({ progressive: true }).toBuffer(), { path: 'copy' }],
  ['an sRGB ICC profile only', () => small().withIccProfile('srgb').jpeg().toBuffer(), { path: 'copy' }],
  ['JFIF and an Adobe APP14 (YCbCr)', async () => afterSoi(await photoJpeg(48, 32), [jfifSegment(), segment(0xee, 'Adobe\0\x64\0\0\0\0\x01')]), { path: 'copy' }],
  ['EXIF (withExif)', () => small().withExif({ IFD0: { Make: 'Cam', Model: 'X' } }).jpeg().toBuffer(), { path: 'strip', dropped: ['EXIF'] }],
  ['EXIF orientation 1 with sRGB (withMetadata)', () => small().withMetadata({ orientation: 1 }).jpeg().toBuffer(), { path: 'strip', dropped: ['EXIF'] }],
  ['XMP (withXmp)', () => small().withXmp(XMP).jpeg().toBuffer(), { path: 'strip', dropped: ['XMP'] }],
  ['a comment', async () => afterSoi(await photoJpeg(48, 32), [commentSegment('shot on a phone')]), { path: 'strip', dropped: ['comment'] }],
  ['EXIF, XMP, IPTC, a comment, APP12 and out-of-order sRGB chunks', async () => afterSoi(await small().withXmp(XMP).jpeg().toBuffer(),
    [exifSegment(1, 'MM'), iptcSegment(), commentSegment('c'), otherAppSegment(12),
      ...iccSegments((await sharp(PHOTO.bee).metadata()).icc!, 1000, [3, 1, 0, 2])]), { path: 'strip', dropped: ['EXIF', 'IPTC', 'comment', 'APP12', 'XMP'] }],
  ['trailing garbage after EOI', async () => Buffer.concat([await photoJpeg(48, 32), Buffer.alloc(16, 0x20)]), { path: 'strip', dropped: ['16 bytes after the image'] }],
  ['a comment between progressive scans', async () => betweenScans(await small().jpeg({ progressive: true }).toBuffer(), [commentSegment('late')]),
    { path: 'strip', dropped: ['comment'] }],
  ['EXIF orientation 6 (withMetadata)', () => small().withMetadata({ orientation: 6 }).jpeg().toBuffer(), { path: 'reencode', reason: 'EXIF orientation 6 (needs rotating)' }],
  ['EXIF orientation 8, little-endian', async () => afterSoi(await photoJpeg(48, 32), [exifSegment(8, 'II')]), { path: 'reencode', reason: 'EXIF orientation 8 (needs rotating)' }],
  ['a bogus IFD0 offset', async () => afterSoi(await photoJpeg(48, 32), [exifSegment(1, 'II', 5000)]),
    { path: 'reencode', reason: 'its EXIF block is damaged (IFD0 offset 5000 is outside the block)' }],
  ['a Display P3 profile', () => small().withIccProfile('p3').jpeg().toBuffer(), { path: 'reencode', reason: 'its ICC profile is Display P3, not sRGB' }],
  ['P3, EXIF with GPS and XMP (privateJpeg)', () => privateJpeg(48, 32), { path: 'reencode', reason: 'its ICC profile is Display P3, not sRGB' }],
  ['CMYK', () => small().toColourspace('cmyk').jpeg().toBuffer(), { path: 'reencode', reason: 'CMYK' }],
  ['CMYK with a CMYK profile (961 KB in 15 APP2 chunks)', () => small().withIccProfile('cmyk').jpeg().toBuffer(), { path: 'reencode', reason: 'CMYK' }],
  ['greyscale', () => small().toColourspace('b-w').jpeg().toBuffer(), { path: 'reencode', reason: 'greyscale' }],
  ['a PNG', () => small().png().toBuffer(), { path: 'reencode', reason: 'a PNG source' }],
  ['a WebP', () => small().webp().toBuffer(), { path: 'reencode', reason: 'a WebP source' }],
  ['an empty file', async () => Buffer.alloc(0), { path: 'reencode', reason: 'not a JPEG' }],
  ['a truncated JPEG', async () => (await photoJpeg(48, 32)).subarray(0, 400),
    { path: 'reencode', reason: 'a damaged JPEG: the file ends at byte 400 inside the image data, with no EOI marker (cut off?)' }],
  ['an arithmetic-coded frame', () => withFrameByte('marker', 0xc9), { path: 'reencode', reason: 'an arithmetic-coded JPEG (browsers may not show it)' }],
  ['a lossless frame', () => withFrameByte('marker', 0xc3), { path: 'reencode', reason: 'a lossless JPEG (browsers may not show it)' }],
  ['12-bit samples', () => withFrameByte('precision', 12), { path: 'reencode', reason: '12-bit samples (browsers show 8-bit JPEGs)' }],
];

describe('JPEG hi-res passthrough: hiResPath and stripMetadata', () => {
  const sources = new Map<string, Buffer>();
  before(async () => {
    for (const [name, make] of CASES) sources.set(name, await make());
  });

  describe('hiResPath', () => {
    for (const [name, , expected] of CASES) {
      it(`${name} → ${expected.path}${'reason' in expected ? `: ${expected.reason}` : ''}`, async () => {
        expect(hiResPath(sources.get(name)!)).to.deep.equal(expected);
      });
    }

    it('an MPF file with a second image appended → strip, dropping MPF and the appended image', async () => {
      const second = await secondImage();
      expect(hiResPath(Buffer.concat([afterSoi(await photoJpeg(48, 32), [mpfSegment()]), second])))
        .to.deep.equal({ path: 'strip', dropped: ['MPF', `${second.length} bytes after the image`] });
    });

    it('copies the shipped photos as they are (sRGB ICC only: "sRGB built-in", "sRGB IEC61966-2.1")', async () => {
      for (const photo of Object.values(PHOTO)) expect(hiResPath(await readFile(photo)), photo).to.deep.equal({ path: 'copy' });
    });
  });

  describe('stripMetadata', () => {
    for (const [name] of CASES.filter(([, , path]) => path.path === 'strip')) {
      it(`${name}: same pixels, no metadata, same ICC and scan bytes, copy afterwards, idempotent`, async () => {
        const source = sources.get(name)!;
        await expectLosslessStrip(source, stripMetadata(source));
      });
    }

    it('returns a clean JPEG unchanged, byte for byte', async () => {
      for (const name of CASES.filter(([, , path]) => path.path === 'copy').map(([n]) => n)) {
        const source = sources.get(name)!;
        expect(stripMetadata(source).equals(source), name).to.equal(true);
      }
    });

    it('keeps JFIF, Adobe APP14 and the ICC chunks in their places and order, drops fill bytes', async () => {
      const source = sources.get('EXIF, XMP, IPTC, a comment, APP12 and out-of-order sRGB chunks')!;
      const withKept = afterSoi(source, [jfifSegment(), Buffer.from([0xff, 0xff]), segment(0xee, 'Adobe\0\x64\0\0\0\0\x01')]);
      const kept = readJpegSegments(stripMetadata(withKept)).segments.filter((s) => s.app).map((s) => s.app);
      expect(kept).to.deep.equal(['JFIF', 'Adobe', 'ICC_PROFILE', 'ICC_PROFILE', 'ICC_PROFILE', 'ICC_PROFILE']);
      await expectLosslessStrip(withKept, stripMetadata(withKept));
    });

    it('drops the fill bytes before a dropped segment between scans, so they cannot join what follows (FF + D9 is an EOI)', async () => {
      const progressive = await small().jpeg({ progressive: true }).toBuffer();
      const source = betweenScans(progressive, [Buffer.from([0xff]), commentSegment('late'), Buffer.from([0xd9, 0x00])]);
      expect(hiResPath(source)).to.deep.equal({ path: 'strip', dropped: ['comment'] });
      const stripped = stripMetadata(source);
      expect(readJpegSegments(stripped).eoi).to.equal(stripped.length - 2);
      expect(hiResPath(stripped)).to.deep.equal({ path: 'copy' });
    });

    it('drops an image appended after EOI with its EXIF (an MPF secondary image)', async () => {
      const source = Buffer.concat([afterSoi(await photoJpeg(48, 32), [mpfSegment()]), await secondImage()]);
      const stripped = stripMetadata(source);
      expect(source.includes('Secret') && !stripped.includes('Secret')).to.equal(true);
      expect(stripped.equals(await photoJpeg(48, 32))).to.equal(true);
      await expectLosslessStrip(source, stripped);
    });

    it('throws a JpegFormatError for what it cannot strip', async () => {
      expect(() => stripMetadata(sources.get('a PNG')!)).to.throw(JpegFormatError, 'not a JPEG: no SOI marker');
      expect(() => stripMetadata(sources.get('a truncated JPEG')!)).to.throw(JpegFormatError, /no EOI marker/);
    });
  });
});
