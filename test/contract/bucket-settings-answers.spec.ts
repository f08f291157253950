import { expect } from 'chai';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openBucketSettings } from '../../lib/storage/bucket-settings';
import type { StoreConfig } from '../../lib/storage/s3-client';

/** A store that answers every request with `answer` (which may trickle its body). */
class CannedStore {
  private server?: Server;
  private timers: NodeJS.Timeout[] = [];
  constructor(private readonly answer: (res: ServerResponse, timers: NodeJS.Timeout[]) => void) {}

  async start(): Promise<StoreConfig> {
    this.server = createServer((req, res) => { req.resume(); req.on('end', () => this.answer(res, this.timers)); });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
    return { provider: 's3', endpoint, bucket: 'images', region: 'us-east-1', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-example' };
  }

  close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.server?.closeAllConnections();
    return new Promise((resolve) => { this.server?.close(() => resolve()); });
  }
}

const xml = (body: string) => (res: ServerResponse) => { res.writeHead(200, { 'content-type': 'application/xml' }); res.end(body); };

/** The XML one byte every `everyMs`: each byte resets a socket timeout, so only a whole-call deadline stops it. */
const trickle = (body: string, everyMs: number) => (res: ServerResponse, timers: NodeJS.Timeout[]) => {
  res.writeHead(200, { 'content-type': 'application/xml' });
  let i = 0;
  timers.push(setInterval(() => { if (i < body.length) res.write(body[i++]); else res.end(); }, everyMs));
};

const CORS_XML = '<?xml version="1.0" encoding="UTF-8"?><CORSConfiguration><CORSRule><AllowedOrigin>https://russ.fm</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>3600</MaxAgeSeconds></CORSRule></CORSConfiguration>';

describe('bucket settings: what a store answers is bounded and validated where it enters', () => {
  let store: CannedStore | undefined;
  afterEach(async () => { await store?.close(); store = undefined; });

  it('gives up on a CORS answer that trickles one byte at a time at the whole-call deadline, with a StoreError saying so', async () => {
    store = new CannedStore(trickle(CORS_XML, 50));
    const { settings, destroy } = openBucketSettings(await store.start(), { maxAttempts: 1, deadlineMs: 400, requestTimeout: 5000 });
    const started = Date.now();
    try {
      const error = await settings().getCors().then(() => undefined, (e: unknown) => e as { message: string; code: string });
      expect(error?.message).to.match(/read the CORS rules of bucket "images" failed: .*no complete answer within 0.4 s/);
      expect(error?.code).to.equal('E_STORE');
      expect(Date.now() - started).to.be.below(3000);
    } finally { destroy(); }
  });

  it('gives up on a trickling lifecycle answer and a PutBucketCors answer the same way', async () => {
    store = new CannedStore(trickle('<?xml version="1.0"?><LifecycleConfiguration>' + ' '.repeat(200) + '</LifecycleConfiguration>', 50));
    const { settings, destroy } = openBucketSettings(await store.start(), { maxAttempts: 1, deadlineMs: 300, requestTimeout: 5000 });
    try {
      await settings().getLifecycle().then(() => expect.fail('answered'), (e: Error) => expect(e.message).to.match(/lifecycle rules .*within 0.3 s/));
      await settings().putCors([{ origins: ['*'], methods: ['GET'], headers: [], exposeHeaders: [] }])
        .then(() => expect.fail('answered'), (e: Error) => expect(e.message).to.match(/set the CORS rules .*within 0.3 s/));
    } finally { destroy(); }
  });

  it('shows escape codes and line breaks in CORS origins as ?, and a max age that is not a count as unset', async () => {
    store = new CannedStore(xml('<CORSConfiguration><CORSRule><AllowedOrigin>https://a\u001b[31m.example&#10;✓ CORS: fine</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>NaN</MaxAgeSeconds></CORSRule></CORSConfiguration>'));
    const { settings, destroy } = openBucketSettings(await store.start(), { maxAttempts: 1 });
    try {
      const read = await settings().getCors();
      const rule = read.state === 'set' ? read.value[0] : undefined;
      expect(rule?.origins).to.deep.equal(['https://a?[31m.example?✓ CORS: fine']);
      expect(rule?.maxAgeSeconds).to.equal(undefined);
    } finally { destroy(); }
  });

  it('reads a lifecycle rule\'s ID printable, "enabled" and "glacier" in any case, and a day count that is not a count as unreadable', async () => {
    store = new CannedStore(xml('<LifecycleConfiguration><Rule><ID>x\u001b[31mred&#10;✓ lifecycle: fine</ID><Status>enabled</Status><Filter><Prefix></Prefix></Filter>'
      + '<Expiration><Days>NaN</Days></Expiration><Transition><Days>1</Days><StorageClass>glacier</StorageClass></Transition></Rule></LifecycleConfiguration>'));
    const { settings, destroy } = openBucketSettings(await store.start(), { maxAttempts: 1 });
    try {
      const read = await settings().getLifecycle();
      const rule = read.state === 'set' ? read.value[0] : undefined;
      expect(rule?.id).to.equal('x?[31mred?✓ lifecycle: fine');
      expect(rule?.enabled).to.equal(true);
      expect(rule?.expirationDays).to.equal(undefined);
      expect(rule?.expirationUnreadable).to.equal(true);
      expect(rule?.transitions.map((t) => t.storageClass)).to.deep.equal(['GLACIER']);
    } finally { destroy(); }
  });
});
