import { expect } from 'chai';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { distReader } from '../../lib/bucket/desired';
import type { DesiredObject } from '../../lib/plan/match';
import { md5Of, sha256Of } from '../../lib/util/hash';
import { makeTmpDir, removeTmp } from '../helpers/tmp';

describe('distReader with the remote build cache', () => {
  const KEY = 'album/a/a-medium.jpg';
  const bytes = Buffer.from('the bucket release bytes');
  const object = (remote?: string): DesiredObject => ({
    key: KEY, md5: md5Of(bytes), sha256: sha256Of(bytes), size: bytes.length, contentType: 'image/jpeg', cacheControl: 'x',
    origin: { size: 'medium', remote },
  });
  let dist = '';
  const asked: string[] = [];
  const fromBucket = async (o: DesiredObject) => { asked.push(o.key); return bytes; };
  beforeEach(async () => { dist = await makeTmpDir('dist-reader'); asked.length = 0; });
  afterEach(async () => { await removeTmp(dist); });
  const put = async (body: Buffer) => { await mkdir(join(dist, 'album/a'), { recursive: true }); await writeFile(join(dist, KEY), body); };

  it('reads a marked object dist lacks from the bucket', async () => {
    expect(await distReader(dist, fromBucket)(object('R1'))).to.deep.equal(bytes);
    expect(asked).to.deep.equal([KEY]);
  });

  it('reads a marked object from the bucket when dist holds another build\'s file at its key', async () => {
    await put(Buffer.from('an older build of the source, same key'));
    expect(await distReader(dist, fromBucket)(object('R1'))).to.deep.equal(bytes);
    expect(asked).to.deep.equal([KEY]);
  });

  it('reads dist when it holds the very bytes, marked or not; an unmarked object never goes to the bucket', async () => {
    await put(bytes);
    expect(await distReader(dist, fromBucket)(object('R1'))).to.deep.equal(bytes);
    const other = Buffer.from('changed after the build');
    await put(other);
    expect(await distReader(dist, fromBucket)(object())).to.deep.equal(other); // apply-plan refuses it by its MD5
    expect(asked).to.deep.equal([]);
  });
});
