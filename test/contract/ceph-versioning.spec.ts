import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { ObjectVersion } from '../../lib/storage/object-store';
import { createS3Client } from '../../lib/storage/s3-client';
import { S3Store } from '../../lib/storage/s3-store';
import { freshCephBucket, requireCeph } from '../servers/ceph';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const headers = { contentType: 'image/jpeg', cacheControl: 'public, max-age=60', metadata: { sha256: 'abc' } };

describe('native versioning on Ceph radosgw (the ObjectStore calls that use it)', function () {
  let store: S3Store;
  let destroy = () => undefined as void;
  before(async function () { await requireCeph(this); });
  beforeEach(async () => {
    const config = await freshCephBucket('TESTSECRET', true);
    const client = createS3Client(config, { maxAttempts: 3 });
    destroy = () => client.destroy();
    store = new S3Store(client, config);
  });
  afterEach(() => destroy());

  const put = (key: string, text: string) => store.put({ key, body: Buffer.from(text), md5: md5(text), ...headers });
  async function versions(prefix?: string): Promise<ObjectVersion[]> {
    const all: ObjectVersion[] = [];
    for await (const page of store.listVersions({ prefix })) all.push(...page);
    return all;
  }

  it('says versioning is enabled, and every PUT answers with a version id', async () => {
    expect(await store.versioning()).to.equal('enabled');
    const first = await put('a.jpg', 'one');
    const second = await put('a.jpg', 'two');
    expect(first.versionId).to.be.a('string').and.not.equal(second.versionId);
    expect((await store.head('a.jpg'))?.versionId).to.equal(second.versionId);
  });

  it('lists versions newest first per key, with delete markers; a version can be read and copied back', async () => {
    const one = await put('a.jpg', 'one');
    await put('a.jpg', 'two');
    await put('b.jpg', 'bee');
    await store.deleteMany(['b.jpg']);
    const listed = await versions();
    expect(listed.map((v) => [v.key, v.deleteMarker, v.isLatest, v.etag])).to.deep.equal([
      ['a.jpg', false, true, md5('two')], ['a.jpg', false, false, md5('one')],
      ['b.jpg', true, true, undefined], ['b.jpg', false, false, md5('bee')],
    ]);
    expect((await store.headVersion('a.jpg', one.versionId ?? ''))?.etag).to.equal(md5('one'));

    await store.copy({ key: 'a.jpg', sourceKey: 'a.jpg', sourceVersionId: one.versionId, ...headers });
    expect((await store.head('a.jpg'))?.etag).to.equal(md5('one'));
    expect(await versions('a.jpg')).to.have.length(3); // the copy is a new version; history is kept
  });

  it('pages through more versions than fit in one answer, delete markers included', async () => {
    for (let i = 0; i < 3; i += 1) await put('p.jpg', `v${i}`);
    await store.deleteMany(['p.jpg']);
    await put('q.jpg', 'q');
    let pages = 0;
    const seen: ObjectVersion[] = [];
    for await (const page of store.listVersions({ pageSize: 2 })) { pages += 1; seen.push(...page); }
    expect(pages).to.equal(3);
    expect(new Set(seen.map((v) => v.versionId)).size).to.equal(5);
    expect(seen.filter((v) => v.deleteMarker).map((v) => v.key)).to.deep.equal(['p.jpg']);
  });
});
