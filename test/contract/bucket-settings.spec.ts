import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openBucketSettings, type BucketCorsRule } from '../../lib/storage/bucket-settings';
import { createS3Client, type StoreConfig } from '../../lib/storage/s3-client';
import { S3Store } from '../../lib/storage/s3-store';
import { freshCephBucket, requireCeph } from '../servers/ceph';
import { startTestS3rver } from '../servers/s3rver';

/** A server that answers 200 to everything and keeps each request's method, URL, headers and body. */
class Recorder {
  readonly requests: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { etag: `"${createHash('md5').update(Buffer.concat(chunks)).digest('hex')}"` });
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => { this.server?.close(() => resolve()); });
  }
}

const SEED: BucketCorsRule = { origins: ['https://russ.fm', 'http://localhost:5173'], methods: ['GET', 'HEAD'], headers: ['*'], exposeHeaders: [], maxAgeSeconds: 3600 };
const checksumHeaders = (headers: IncomingHttpHeaders) => Object.keys(headers).filter((h) => h.startsWith('x-amz-checksum-') || h === 'x-amz-sdk-checksum-algorithm' || h === 'x-amz-trailer');
const md5Base64 = (body: Buffer) => createHash('md5').update(body).digest('base64');

describe('bucket configuration requests from the client factory (R2 refuses flexible checksum headers on them)', () => {
  let recorder: Recorder;
  let r2: StoreConfig;
  beforeEach(async () => {
    recorder = new Recorder();
    r2 = { provider: 'r2', endpoint: await recorder.start(), bucket: 'russ-fm-assets', region: 'auto', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-example' };
  });
  afterEach(async () => { await recorder.close(); });

  it('sends PutBucketCors with Content-MD5 of its body and no x-amz-checksum-* or x-amz-sdk-checksum-algorithm header, all signed', async () => {
    const { settings, destroy } = openBucketSettings(r2, { maxAttempts: 1 });
    try { await settings().putCors([SEED]); } finally { destroy(); }
    const [request] = recorder.requests;
    expect(request?.method).to.equal('PUT');
    expect(request?.url).to.match(/^\/russ-fm-assets\/?\?cors/);
    expect(checksumHeaders(request?.headers ?? {})).to.deep.equal([]);
    expect(request?.headers['content-md5']).to.equal(md5Base64(request?.body ?? Buffer.alloc(0)));
    expect(request?.body.toString()).to.contain('<AllowedOrigin>https://russ.fm</AllowedOrigin>');
    expect(request?.headers.authorization).to.match(/SignedHeaders=[^,]*content-md5/);
  });

  it('does the same for PutBucketLifecycleConfiguration', async () => {
    const { settings, destroy } = openBucketSettings(r2, { maxAttempts: 1 });
    try {
      await settings().putLifecycle([{ id: 'abort', enabled: true, prefix: '', tagged: false, transitions: [], abortMultipartDays: 7 }]);
    } finally { destroy(); }
    const [request] = recorder.requests;
    expect(request?.url).to.match(/\?lifecycle/);
    expect(checksumHeaders(request?.headers ?? {})).to.deep.equal([]);
    expect(request?.headers['content-md5']).to.equal(md5Base64(request?.body ?? Buffer.alloc(0)));
  });

  it('leaves other requests alone: a PutObject carries only the Content-MD5 the store sends itself', async () => {
    const client = createS3Client(r2, { maxAttempts: 1 });
    const body = Buffer.from('cover bytes');
    try {
      await new S3Store(client, r2).put({
        key: 'album/a/a-medium.jpg', body, md5: createHash('md5').update(body).digest('hex'), contentType: 'image/jpeg', cacheControl: 'x', metadata: {},
      });
    } finally { client.destroy(); }
    const [request] = recorder.requests;
    expect(request?.headers['content-md5']).to.equal(md5Base64(body));
    expect(request?.body.equals(body)).to.equal(true);
  });
});

/** The same calls against a real server: CORS set and read back; lifecycle where the store has it. */
function settingsSuite(name: string, open: () => Promise<{ config: StoreConfig; close(): Promise<void> }>, lifecycle: boolean, more = () => {}): void {
  describe(`bucket settings on ${name}`, () => {
    if (name.startsWith('Ceph')) before(async function () { await requireCeph(this); });
    let config: StoreConfig;
    let close: () => Promise<void>;
    beforeEach(async () => { ({ config, close } = await open()); });
    afterEach(async () => { await close(); });

    it('reads no CORS on a new bucket, then the rule it set (the store accepts Content-MD5 in place of the checksum headers)', async () => {
      const { settings, destroy } = openBucketSettings(config);
      try {
        expect(await settings().getCors()).to.deep.equal({ state: 'none' });
        await settings().putCors([SEED]);
        const read = await settings().getCors();
        expect(read.state).to.equal('set');
        const rule = read.state === 'set' ? read.value[0] : undefined;
        expect([...(rule?.origins ?? [])].sort()).to.deep.equal(['http://localhost:5173', 'https://russ.fm']);
        expect([...(rule?.methods ?? [])].sort()).to.deep.equal(['GET', 'HEAD']);
        expect(rule?.maxAgeSeconds).to.equal(3600);
      } finally { destroy(); }
    });

    it(lifecycle ? 'sets, reads and deletes lifecycle rules' : 'reports lifecycle rules as unsupported, not as an error', async () => {
      const { settings, destroy } = openBucketSettings(config);
      try {
        if (!lifecycle) {
          expect((await settings().getLifecycle()).state).to.equal('unsupported');
          return;
        }
        expect(await settings().getLifecycle()).to.deep.equal({ state: 'none' });
        await settings().putLifecycle([{ id: 'old-archive', enabled: true, prefix: '_archive/', tagged: false, transitions: [], expirationDays: 30 }]);
        const read = await settings().getLifecycle();
        expect(read.state === 'set' ? read.value.map((r) => [r.id, r.enabled, r.prefix, r.expirationDays]) : read).to.deep.equal([['old-archive', true, '_archive/', 30]]);
        await settings().deleteLifecycle();
        expect(await settings().getLifecycle()).to.deep.equal({ state: 'none' });
      } finally { destroy(); }
    });
    more();
  });
}

settingsSuite('s3rver', async () => {
  const server = await startTestS3rver('images');
  return { config: server.store, close: server.close };
}, false);

settingsSuite('Ceph radosgw (SigV4 checked)', async () => ({ config: await freshCephBucket(), close: async () => undefined }), true, () => {
  it('refuses bucket settings to credentials that do not sign right (denied, not "none")', async () => {
    const config = await freshCephBucket();
    const { settings, destroy } = openBucketSettings({ ...config, secretAccessKey: 'not-the-secret' }, { maxAttempts: 1 });
    try {
      expect((await settings().getCors()).state).to.equal('denied');
      const error = await settings().putCors([SEED]).catch((e: unknown) => e as { message: string; hint?: string });
      expect(error?.message).to.match(/set the CORS rules of bucket .* failed: .*HTTP 403/);
      expect(error?.hint).to.match(/Admin Read & Write/);
    } finally { destroy(); }
  });
});
