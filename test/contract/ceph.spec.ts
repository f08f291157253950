import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { createS3Client } from '../../lib/storage/s3-client';
import { S3Store } from '../../lib/storage/s3-store';
import { freshCephBucket, requireCeph } from '../servers/ceph';
import { objectStoreContract } from './object-store.contract';

describe('Ceph radosgw (HTTP on 127.0.0.1, SigV4 checked)', function () {
  before(async function () { await requireCeph(this); });

  objectStoreContract('Ceph radosgw', async () => {
    const config = await freshCephBucket();
    const client = createS3Client(config, { maxAttempts: 3 });
    return {
      store: new S3Store(client, config),
      multipart: (multipartThreshold, partSize) => new S3Store(client, config, { multipartThreshold, partSize }),
      close: async () => { client.destroy(); },
    };
  });

  it('gives multipart uploads an `md5-N` ETag, which is why the tool stores sha256 metadata', async () => {
    const config = await freshCephBucket();
    const client = createS3Client(config, { maxAttempts: 3 });
    try {
      const store = new S3Store(client, config, { multipartThreshold: 6 * 1024 * 1024, partSize: 5 * 1024 * 1024 });
      const body = Buffer.alloc(11 * 1024 * 1024, 3);
      await store.put({ key: 'big.jpg', body, md5: 'ignored-for-multipart', contentType: 'image/jpeg', cacheControl: 'x', metadata: { sha256: 'abc' } });
      const head = await store.head('big.jpg');
      expect(head?.etag).to.match(/^[0-9a-f]{32}-3$/);
      expect(head?.metadata.sha256).to.equal('abc');
    } finally {
      client.destroy();
    }
  });

  it('rejects a body whose Content-MD5 does not match with BadDigest, and stores nothing', async () => {
    const config = await freshCephBucket();
    const client = createS3Client(config, { maxAttempts: 1 });
    try {
      const store = new S3Store(client, config);
      const failed = await store.put({
        key: 'bad.jpg', body: Buffer.from('real bytes'), md5: createHash('md5').update('other bytes').digest('hex'),
        contentType: 'image/jpeg', cacheControl: 'x', metadata: {},
      }).catch((error: unknown) => error);
      expect(String(failed)).to.match(/put bad\.jpg failed: BadDigest/);
      expect(await store.head('bad.jpg')).to.equal(null);
    } finally {
      client.destroy();
    }
  });

  it('refuses a wrong secret: signatures are checked, and the error says what to fix', async () => {
    const config = await freshCephBucket();
    const wrong = { ...config, secretAccessKey: 'not-the-secret' };
    const client = createS3Client(wrong, { maxAttempts: 1 });
    try {
      let error: { message?: string; hint?: string } | undefined;
      await new S3Store(client, wrong).head('x.jpg').catch((e: { message?: string; hint?: string }) => { error = e; });
      expect(error?.message).to.match(/HTTP 403/);
      expect(error?.hint).to.match(/R2_SECRET_ACCESS_KEY/);
      expect(error?.message).to.not.include('not-the-secret');
    } finally {
      client.destroy();
    }
  });
});
