import { expect } from 'chai';
import sharp from 'sharp';
import { hiResPath } from '../../lib/images/hi-res-path';
import { stripMetadata } from '../../lib/images/jpeg-strip';
import { afterSoi, beforeScan, iccSegments, segment } from '../helpers/jpeg-build';
import { expectLosslessStrip } from '../helpers/lossless-strip';

/** What an attacker (or a careless camera app) hides in segments a decoder skips: it must never leave the build. */
const SECRET = 'GPS 51.5074N 0.1278W owner=Alice serial=XYZ123';

const base = () => sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366aa' } }).jpeg({ quality: 90 }).toBuffer();
const before = (jpeg: Buffer, ...segments: Buffer[]) => afterSoi(jpeg, segments);
const srgb = async () => (await sharp(await base()).withIccProfile('srgb').jpeg().toBuffer());
const iccOf = async () => (await sharp(await srgb()).metadata()).icc as Buffer;

/** Hidden-data JPEGs, each decoding to the base image. */
const CASES: ReadonlyArray<readonly [string, (jpeg: Buffer) => Promise<Buffer> | Buffer]> = [
  ['bytes after the 14 bytes of a JFIF APP0', (j) => before(j, segment(0xe0, Buffer.concat([Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1'), Buffer.from(SECRET)])))],
  ['a JFIF thumbnail', (j) => before(j, segment(0xe0, Buffer.concat([Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\x04\x01', 'latin1'), Buffer.from(SECRET.padEnd(12, ' ').slice(0, 12))])))],
  ['bytes after the 12 bytes of an Adobe APP14', (j) => beforeScan(j, [segment(0xee, Buffer.concat([Buffer.from('Adobe\0\x64\0\0\0\0\x01', 'latin1'), Buffer.from(SECRET)]))])],
  ['a DNL segment in the header', (j) => beforeScan(j, [segment(0xdc, Buffer.concat([Buffer.from([0, 48]), Buffer.from(SECRET)]))])],
  ['a JPGn (0xF0) segment between the scan and EOI', (j) => Buffer.concat([j.subarray(0, j.length - 2), segment(0xf0, SECRET), j.subarray(j.length - 2)])],
  ['an APP15 segment with an identifier of its own', (j) => before(j, segment(0xef, `Meta\0${SECRET}`))],
];

describe('JPEG hi-res passthrough: hidden data in segments a decoder skips never leaves the build', () => {
  for (const [name, hide] of CASES) {
    it(`${name}: stripped, the same pixels, the secret gone`, async () => {
      const jpeg = await base();
      const hidden = await hide(jpeg);
      expect(hidden.includes(SECRET.slice(0, 12)), 'the fixture hides it').to.equal(true);
      expect((await sharp(hidden).raw().toBuffer()).equals(await sharp(jpeg).raw().toBuffer()), 'sharp still reads the image').to.equal(true);
      const path = hiResPath(hidden);
      expect(path.path, JSON.stringify(path)).to.equal('strip');
      const stripped = stripMetadata(hidden);
      expect(stripped.includes(SECRET.slice(0, 12)), 'the secret is gone').to.equal(false);
      await expectLosslessStrip(hidden, stripped);
    });
  }

  it('an ICC profile with bytes past its declared size is re-encoded, not copied', async () => {
    const icc = await iccOf();
    const jpeg = await base();
    const padded = before(jpeg, ...iccSegments(Buffer.concat([icc, Buffer.from(SECRET)]), 60_000));
    const path = hiResPath(padded);
    expect(path.path).to.equal('reencode');
    expect(path.path === 'reencode' && path.reason).to.match(/ICC profile is \d+ bytes where its header says \d+/);
  });

  it('a clean sRGB JPEG is still published as it is', async () => {
    expect(hiResPath(await srgb())).to.deep.equal({ path: 'copy' });
    expect(hiResPath(await base())).to.deep.equal({ path: 'copy' });
  });
});
