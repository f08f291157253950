import { SignatureV4 } from '@smithy/signature-v4';
import { expect } from 'chai';
import { createHash, createHmac } from 'node:crypto';
import type { StoreConfig } from '../../lib/storage/s3-client';
import { encodeSegment, signGet, signRequest } from '../../lib/storage/s3-fetch-reader';
import { putHeaders } from '../../lib/storage/s3-put-writer';

/** The SDK's own signer, as the oracle for our synchronous one. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | Uint8Array) { this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret); }
  update(data: string | Uint8Array): void { this.hash.update(data); }
  async digest(): Promise<Uint8Array> { return new Uint8Array(this.hash.digest()); }
}

describe('signGet (SigV4 for the lean GET)', () => {
  const store: StoreConfig = { provider: 'r2', endpoint: 'https://acct.r2.cloudflarestorage.com', bucket: 'russ-fm', region: 'us-east-1', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const keys = ['album/abba/abba-medium.jpg', 'album/sigur rós & co+1 100%/x.jpg', 'artist/(what\'s the story)!*/y.jpg', 'album/björk/björk-small.jpg'];

  for (const key of keys) {
    it(`signs exactly as the SDK's SignatureV4 does: ${key}`, async () => {
      const path = `/${store.bucket}/${key.split('/').map(encodeSegment).join('/')}`;
      const at = new Date('2026-11-28T12:34:56.789Z');
      const ours = signGet(store, 'acct.r2.cloudflarestorage.com', path, at, new Map());
      const sdk = await new SignatureV4({ credentials: store, region: 'auto', service: 's3', sha256: NodeSha256 as never, uriEscapePath: false })
        .sign({ method: 'GET', protocol: 'https:', hostname: 'acct.r2.cloudflarestorage.com', path, query: {},
          headers: { host: 'acct.r2.cloudflarestorage.com', 'x-amz-content-sha256': ours['x-amz-content-sha256'] as string } }, { signingDate: at });
      expect(ours.authorization).to.equal(sdk.headers.authorization);
      expect(ours['x-amz-date']).to.equal('20261128T123456Z');
    });
  }

  it('encodes every character SigV4 does not leave alone', async () => {
    expect(encodeSegment("a (b)!*'c d+e&f%g~h_i.j-k")).to.equal('a%20%28b%29%21%2A%27c%20d%2Be%26f%25g~h_i.j-k');
  });
});

describe('signRequest for the lean PUT', () => {
  const store: StoreConfig = { provider: 'r2', endpoint: 'https://acct.r2.cloudflarestorage.com', bucket: 'russ-fm', region: 'us-east-1', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const body = Buffer.from('not really a jpeg');
  const md5 = createHash('md5').update(body).digest('hex');
  const base = { key: 'album/sigur rós & co+1/x-medium.jpg', body, md5, contentType: 'image/jpeg', cacheControl: 'public,  max-age=86400 ',
    metadata: { sha256: 'a'.repeat(64), 'headers-hash': 'b'.repeat(16), 'archived-from': encodeURIComponent('album/ü x.jpg') } };
  const cases: [string, { IfMatch?: string; IfNoneMatch?: string }][] = [['no condition', {}], ['If-Match', { IfMatch: '"0123abcd"' }], ['If-None-Match', { IfNoneMatch: '*' }]];

  for (const [name, conditions] of cases) {
    it(`signs the PUT we send exactly as the SDK's SignatureV4 does (${name}), cache-control unsigned`, async () => {
      const path = `/${store.bucket}/${base.key.split('/').map(encodeSegment).join('/')}`;
      const at = new Date('2026-12-03T06:00:00.123Z');
      const headers = putHeaders(base, conditions);
      const payloadHash = createHash('sha256').update(body).digest('hex');
      const ours = signRequest(store, { method: 'PUT', host: 'acct.r2.cloudflarestorage.com', path, headers, payloadHash }, at, new Map());
      const sdk = await new SignatureV4({ credentials: store, region: 'auto', service: 's3', sha256: NodeSha256 as never, uriEscapePath: false })
        .sign({ method: 'PUT', protocol: 'https:', hostname: 'acct.r2.cloudflarestorage.com', path, query: {}, body,
          headers: { ...headers, host: 'acct.r2.cloudflarestorage.com', 'x-amz-content-sha256': payloadHash } }, { signingDate: at });
      expect(ours.authorization).to.equal(sdk.headers.authorization);
      expect(ours.authorization).to.not.contain('cache-control');
      expect(ours.authorization).to.contain('content-md5;content-type;');
    });
  }

  it('sends Content-MD5 (base64), the metadata as x-amz-meta-*, and only the conditions asked for', async () => {
    const headers = putHeaders(base, { IfMatch: '"e"' });
    expect(headers['content-md5']).to.equal(Buffer.from(md5, 'hex').toString('base64'));
    expect(headers['content-length']).to.equal(String(body.length));
    expect(headers['x-amz-meta-headers-hash']).to.equal('b'.repeat(16));
    expect(headers['if-match']).to.equal('"e"');
    expect(headers).to.not.have.property('if-none-match');
  });
});
