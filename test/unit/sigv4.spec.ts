import { SignatureV4 } from '@smithy/signature-v4';
import { expect } from 'chai';
import { createHash, createHmac } from 'node:crypto';
import type { StoreConfig } from '../../lib/storage/s3-client';
import { encodeSegment, signGet } from '../../lib/storage/s3-fetch-reader';

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
