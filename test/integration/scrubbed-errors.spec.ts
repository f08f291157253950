import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectStore } from '../../lib/bucket/open-store';
import { listAll } from '../../lib/storage/object-store';
import { spawnGulp } from '../helpers/cli';

const KEY_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'; // R2 key ids are 32 hex characters
const SECRET = 'never-printed-secret-value-0123456789abcdef';

/** A server that answers every request 403 and echoes what it was sent, as some S3 servers' errors do. */
async function echoingServer(): Promise<{ endpoint: string; server: Server }> {
  const server = createServer((req, res) => {
    const echoed = `Authorization: ${req.headers.authorization ?? ''} x-amz-date: ${String(req.headers['x-amz-date'])}`;
    res.writeHead(403, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>${echoed}</Message>`
      + `<AWSAccessKeyId>${KEY_ID}</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256 ${KEY_ID}</StringToSign></Error>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

// Finding 5 of [06/10]: an echoing 403 put `Credential=<access key id>/…` on stderr.
describe('errors from a server never print the access key id or the signature', function () {
  this.timeout(60_000);
  let echo: { endpoint: string; server: Server };
  beforeEach(async () => { echo = await echoingServer(); });
  afterEach(async () => { echo.server.closeAllConnections(); await new Promise((resolve) => echo.server.close(resolve)); });

  it('in the error a library call throws', async () => {
    const { store, destroy } = connectStore({
      provider: 's3', endpoint: echo.endpoint, bucket: 'images', region: 'auto', accessKeyId: KEY_ID, secretAccessKey: SECRET,
    }, { maxAttempts: 1 });
    try {
      const error = await listAll(store).then(() => undefined, (e: unknown) => e as Error & { hint?: string });
      expect(error?.message).to.match(/^list failed: SignatureDoesNotMatch: HTTP 403/);
      expect(error?.message).to.contain('Credential=***');
      expect(`${error?.message} ${error?.hint}`).to.not.contain(KEY_ID).and.not.contain(SECRET);
    } finally { destroy(); }
  });

  it('on the command line, stdout and stderr alike', async () => {
    const env = { S3_ENDPOINT: echo.endpoint, R2_BUCKET_NAME: 'images', R2_ACCESS_KEY_ID: KEY_ID, R2_SECRET_ACCESS_KEY: SECRET };
    const { status, output } = await spawnGulp(['verify', '--env', 'staging', '--release', 'latest'], env);
    expect(status, output).to.not.equal(0);
    expect(output).to.match(/403/);
    expect(output).to.not.contain(KEY_ID).and.not.contain(SECRET);
  });
});
