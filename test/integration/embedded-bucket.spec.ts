import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalBucket, type LocalBucket } from '../../lib/storage/local-bucket';
import { createS3Client } from '../../lib/storage/s3-client';
import { S3Store } from '../../lib/storage/s3-store';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const headers = { contentType: 'application/json', cacheControl: 'no-store', metadata: {} };

// From a new user's trial of [05/10]: a second command on the embedded bucket while the first ran did not
// wait for the writer lock; it crashed on the port (s3rver's listen() leaves EADDRINUSE an unhandled
// event, so the fallback to a free port never ran). And the second process's embedded server kept its
// conditional writes apart from its own requests only, not from the first process's.
describe('the embedded bucket: two commands at once', () => {
  let dir: string;
  const opened: LocalBucket[] = [];
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'embedded-')); });
  afterEach(async () => {
    for (const local of opened.splice(0)) await local.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a port in use is an error its caller can handle (the next command then takes a free port), not a crash', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const error = await startLocalBucket({ directory: dir, bucket: 'b', port }).then(() => undefined, (e: unknown) => e);
      expect((error as NodeJS.ErrnoException)?.code).to.equal('EADDRINUSE');
      const fallback = await startLocalBucket({ directory: dir, bucket: 'b', port: 0 });
      opened.push(fallback);
      expect(fallback.store.endpoint).to.not.contain(`:${port}`);
    } finally {
      holder.close();
    }
  });

  it('two servers over one folder: of 24 racing If-None-Match: * PUTs of one key, exactly one is created; If-Match races likewise', async () => {
    const a = await startLocalBucket({ directory: dir, bucket: 'b', port: 0 });
    const b = await startLocalBucket({ directory: dir, bucket: 'b', port: 0 });
    opened.push(a, b);
    const stores = [a, b].map((local) => new S3Store(createS3Client(local.store, { maxAttempts: 1 }), local.store));
    const put = (i: number, condition: { ifMatch?: string; ifNoneMatch?: '*' }) => {
      const body = Buffer.from(`writer ${i} ${condition.ifMatch ?? 'create'}`);
      return (stores[i % 2] as S3Store).put({ key: '_state/lock.json', body, md5: md5(body), ...headers, ...condition })
        .then(() => 200, (e: unknown) => (e as { status?: number }).status);
    };
    const created = await Promise.all(Array.from({ length: 24 }, (_, i) => put(i, { ifNoneMatch: '*' })));
    expect(created.filter((s) => s === 200)).to.have.length(1);
    expect(created.filter((s) => s === 412)).to.have.length(23);
    const current = (await stores[0]?.head('_state/lock.json'))?.etag as string;
    const replaced = await Promise.all(Array.from({ length: 24 }, (_, i) => put(i, { ifMatch: current })));
    expect(replaced.filter((s) => s === 200)).to.have.length(1);
    expect(await readdir(dir)).to.not.include('.conditional-write.lock');
  });

  // Found by the history generator (two writers at once): a CopyObject onto a key that another request read
  // meanwhile left that key listing the MD5 of its old bytes for good, so a later copy's check failed.
  it('a copy onto a key read meanwhile (HEADs, listings) ends with the ETag of the bytes it holds', async () => {
    const local = await startLocalBucket({ directory: dir, bucket: 'b', port: 0 });
    opened.push(local);
    const store = new S3Store(createS3Client(local.store, { maxAttempts: 1 }), local.store);
    const image = { contentType: 'image/jpeg', cacheControl: 'no-store', metadata: {} };
    for (let round = 0; round < 12; round += 1) {
      const from = Buffer.alloc(16_000_000, round + 1);
      const old = Buffer.alloc(8_000_000, 200 - round);
      await store.put({ key: 'src.jpg', body: from, md5: md5(from), ...image });
      await store.put({ key: 'dest.jpg', body: old, md5: md5(old), ...image });
      let copied = false;
      const copying = store.copy({ key: 'dest.jpg', sourceKey: 'src.jpg', ...image, cacheControl: `max-age=${round}` }).finally(() => { copied = true; });
      const reading = async () => { while (!copied) await store.head('dest.jpg').catch(() => null); };
      await Promise.all([copying, reading(), reading(), reading(), reading()]);
      expect((await store.head('dest.jpg'))?.etag, `round ${round}`).to.equal(md5(from));
    }
  });
});
