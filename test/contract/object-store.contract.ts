/**
 * The ObjectStore conformance suite: the same behaviour, asserted against every real server we support.
 * Each server's spec file calls `objectStoreContract` with a factory for a fresh, empty bucket.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { ObjectStore } from '../../lib/storage/object-store';

export interface StoreFixture {
  store: ObjectStore;
  /** The same bucket with multipart above `threshold` bytes, in parts of `partSize`. */
  multipart(threshold: number, partSize: number): ObjectStore;
  close(): Promise<void>;
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const headers = { contentType: 'image/jpeg', cacheControl: 'public, max-age=60', metadata: { sha256: 'abc', 'headers-hash': 'h1' } };

async function listAll(store: ObjectStore, options?: { prefix?: string; startAfter?: string; pageSize?: number }) {
  const pages = [];
  for await (const page of store.list(options)) pages.push(page);
  return { pages, objects: pages.flat() };
}

async function readAll(store: ObjectStore, key: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of (await store.get(key)).body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export function objectStoreContract(name: string, open: () => Promise<StoreFixture>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let fixture: StoreFixture;
    beforeEach(async () => { fixture = await open(); });
    afterEach(async () => { await fixture.close(); });

    it('reports no versioning on a fresh bucket, so sync keeps its own archive', async () => {
      expect(await fixture.store.versioning()).to.equal('off');
    });

    it('lists a PUT object with its size and an ETag equal to the MD5 of its bytes', async () => {
      const body = Buffer.from('hello cover');
      const { etag } = await fixture.store.put({ key: 'album/a/a-small.jpg', body, md5: md5(body), ...headers });
      expect(etag).to.equal(md5(body));
      const { objects } = await listAll(fixture.store);
      expect(objects.map((o) => [o.key, o.size, o.etag])).to.deep.equal([['album/a/a-small.jpg', body.length, md5(body)]]);
    });

    it('returns headers and user metadata from head, and null for a missing key', async () => {
      const body = Buffer.from('x');
      await fixture.store.put({ key: 'k.jpg', body, md5: md5(body), ...headers });
      const head = await fixture.store.head('k.jpg');
      expect(head).to.include({ contentType: 'image/jpeg', cacheControl: 'public, max-age=60', size: 1 });
      expect(head?.metadata).to.include({ sha256: 'abc', 'headers-hash': 'h1' });
      expect(await fixture.store.head('missing.jpg')).to.equal(null);
    });

    it('refuses a PUT whose Content-MD5 does not match the body', async () => {
      const body = Buffer.from('real bytes');
      const wrong = md5(Buffer.from('other bytes'));
      let failed: unknown;
      await fixture.store.put({ key: 'bad.jpg', body, md5: wrong, ...headers }).catch((e: unknown) => { failed = e; });
      expect(String(failed)).to.match(/bad\.jpg/);
    });

    it('honours conditional PUTs: If-None-Match * only creates, If-Match only replaces the ETag named (412 otherwise)', async () => {
      const put = (text: string, condition: { ifMatch?: string; ifNoneMatch?: '*' }) => {
        const body = Buffer.from(text);
        return fixture.store.put({ key: '_state/lock.json', body, md5: md5(body), ...headers, ...condition });
      };
      const status = (e: unknown) => (e as { status?: number }).status;
      const first = await put('one', { ifNoneMatch: '*' });
      expect(status(await put('two', { ifNoneMatch: '*' }).catch((e: unknown) => e))).to.equal(412);
      expect(status(await put('two', { ifMatch: md5(Buffer.from('not it')) }).catch((e: unknown) => e))).to.equal(412);
      expect((await put('two', { ifMatch: first.etag })).etag).to.equal(md5(Buffer.from('two')));
      expect((await readAll(fixture.store, '_state/lock.json')).toString()).to.equal('two');
    });

    it('lists after a key (startAfter), skipping everything up to it', async () => {
      for (const key of ['_archive/x', '_state/s.json', 'album/a/a.jpg', 'artist/b/b.jpg']) {
        await fixture.store.put({ key, body: Buffer.from(key), md5: md5(Buffer.from(key)), ...headers });
      }
      const after = await listAll(fixture.store, { startAfter: '_\u{10FFFF}' });
      expect(after.objects.map((o) => o.key)).to.deep.equal(['album/a/a.jpg', 'artist/b/b.jpg']);
    });

    it('pages a listing and returns every key once, in order', async () => {
      const keys = Array.from({ length: 7 }, (_, i) => `p/${String(i).padStart(2, '0')}.jpg`);
      for (const key of keys) await fixture.store.put({ key, body: Buffer.from(key), md5: md5(Buffer.from(key)), ...headers });
      const { pages, objects } = await listAll(fixture.store, { prefix: 'p/', pageSize: 3 });
      expect(pages.map((p) => p.length)).to.deep.equal([3, 3, 1]);
      expect(objects.map((o) => o.key)).to.deep.equal(keys);
    });

    it('copies server-side with replaced headers, keeping the bytes, for keys with + & % spaces and non-ASCII', async () => {
      for (const key of ['a/b+c&d.jpg', 'a/with space.jpg', 'a/100%.jpg', 'a/Björk.jpg']) {
        const body = Buffer.from(`bytes of ${key}`);
        await fixture.store.put({ key, body, md5: md5(body), ...headers });
        await fixture.store.copy({ key, sourceKey: key, contentType: 'image/webp', cacheControl: 'no-cache', metadata: { sha256: 'abc', 'headers-hash': 'h2' } });
        const head = await fixture.store.head(key);
        expect(head, key).to.include({ contentType: 'image/webp', cacheControl: 'no-cache' });
        expect(head?.metadata['headers-hash'], key).to.equal('h2');
        expect((await readAll(fixture.store, key)).equals(body), key).to.equal(true);
      }
    });

    it('lists a copy onto an existing key with the copied bytes\' MD5 as its ETag', async () => {
      const [a, b] = [Buffer.from('archived bytes'), Buffer.from('current bytes!')];
      await fixture.store.put({ key: '_archive/a', body: a, md5: md5(a), ...headers });
      await fixture.store.put({ key: 'album/x/x.jpg', body: b, md5: md5(b), ...headers });
      await fixture.store.copy({ key: 'album/x/x.jpg', sourceKey: '_archive/a', ...headers });
      const listed = (await listAll(fixture.store)).objects.find((o) => o.key === 'album/x/x.jpg');
      expect(listed).to.include({ etag: md5(a), size: a.length });
      expect((await readAll(fixture.store, 'album/x/x.jpg')).toString()).to.equal('archived bytes');
    });

    it('deletes many keys in one call and treats an absent key as deleted', async () => {
      for (const key of ['d/1.jpg', 'd/2.jpg', 'd/3.jpg']) await fixture.store.put({ key, body: Buffer.from(key), md5: md5(Buffer.from(key)), ...headers });
      const result = await fixture.store.deleteMany(['d/1.jpg', 'd/2.jpg', 'd/never.jpg']);
      expect(result.failed).to.deep.equal([]);
      expect(result.deleted).to.have.members(['d/1.jpg', 'd/2.jpg', 'd/never.jpg']);
      expect((await listAll(fixture.store)).objects.map((o) => o.key)).to.deep.equal(['d/3.jpg']);
    });

    it('streams an object\'s bytes with get, and rejects with NoSuchKey for a missing one', async () => {
      const body = Buffer.alloc(300_000, 7);
      await fixture.store.put({ key: 'big.jpg', body, md5: md5(body), ...headers });
      expect((await readAll(fixture.store, 'big.jpg')).equals(body)).to.equal(true);
      let code: unknown;
      await fixture.store.get('nope.jpg').catch((e: { code?: string }) => { code = e.code; });
      expect(code).to.equal('NoSuchKey');
    });

    it('answers a get with the headers the object is served with, for keys with + & % ( ) ! spaces and non-ASCII', async () => {
      const key = 'album/sigur rós & co+1 100% (live)!/sigur rós & co+1 100% (live)!-small.jpg';
      const body = Buffer.from('a cover');
      await fixture.store.put({ key, body, md5: md5(body), ...headers });
      const { body: stream, head } = await fixture.store.get(key);
      const chunks: Uint8Array[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(Buffer.concat(chunks).toString()).to.equal('a cover');
      expect(head).to.deep.include({ key, size: body.length, etag: md5(body), contentType: 'image/jpeg', cacheControl: 'public, max-age=60' });
      expect(head.metadata).to.deep.include({ sha256: 'abc', 'headers-hash': 'h1' });
    });

    it('stores a body above the multipart threshold whole, with its headers and sha256 metadata', async () => {
      const body = Buffer.alloc(11 * 1024 * 1024);
      for (let i = 0; i < body.length; i += 4096) body[i] = i % 251;
      const store = fixture.multipart(6 * 1024 * 1024, 5 * 1024 * 1024);
      await store.put({ key: 'big/multi.jpg', body, md5: md5(body), ...headers });
      const head = await fixture.store.head('big/multi.jpg');
      expect(head).to.include({ size: body.length, contentType: 'image/jpeg' });
      expect(head?.metadata.sha256).to.equal('abc');
      expect((await readAll(fixture.store, 'big/multi.jpg')).equals(body)).to.equal(true);
    });
  });
}
