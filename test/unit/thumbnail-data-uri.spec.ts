import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { probe, thumbnailDataUri } from '../../lib/images/sharp-adapter';
import { withDeadline } from '../helpers/deadline';
import { solidImage } from '../helpers/fixtures';
import { PHOTO } from '../helpers/paths';

const PREFIX = 'data:image/jpeg;base64,';
const decoded = (uri: string) => Buffer.from(uri.slice(PREFIX.length), 'base64');

describe('thumbnailDataUri (the contact sheet\'s thumbnails)', () => {
  it('fits a photo inside size×size as a JPEG data: URI', async () => {
    const uri = await thumbnailDataUri(await readFile(PHOTO.bridge));
    expect(uri.startsWith(PREFIX)).to.equal(true);
    const info = await probe(decoded(uri));
    expect(info.format).to.equal('jpeg');
    expect(Math.max(info.width, info.height)).to.equal(160);
    const small = await probe(decoded(await thumbnailDataUri(await readFile(PHOTO.bee), 64)));
    expect(Math.max(small.width, small.height)).to.equal(64);
  });

  it('never enlarges a small image', async () => {
    const info = await probe(decoded(await thumbnailDataUri(await solidImage(40, 30, [200, 40, 40], 'png'))));
    expect([info.width, info.height]).to.deep.equal([40, 30]);
  });

  it('rejects, without hanging, on bytes that are not an image', async () => {
    for (const bytes of [Buffer.from('<html>not an image</html>'), Buffer.alloc(0), (await readFile(PHOTO.bee)).subarray(0, 300)]) {
      const outcome = await withDeadline(thumbnailDataUri(bytes).then(() => 'resolved', (e: unknown) => `rejected: ${String(e)}`), 10_000, 'thumbnailDataUri');
      expect(outcome).to.match(/^rejected: /);
    }
  });
});
