import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { resolveEnvironment } from '../../lib/config/environment';
import { DEFAULT_IMAGE_CONFIG } from '../../lib/images/config';
import { DEFAULT_ORIGINS } from '../../lib/serve/cors';
import { RENDERED_HEADER } from '../../lib/serve/bucket-middleware';
import { startServe, type Serving } from '../../lib/serve/run-serve';
import { localStoreConfig } from '../../lib/storage/local-bucket';
import { listAll } from '../../lib/storage/object-store';
import { createS3Client } from '../../lib/storage/s3-client';
import { S3Store } from '../../lib/storage/s3-store';
import { publicCheck } from '../../lib/verify/public-check';
import { photoJpeg } from '../helpers/fixtures';
import { albumSource, artistSource } from '../helpers/paths';
import { rawRequest } from '../helpers/serve';
import { makeTmpDir, removeTmp, writeAt } from '../helpers/tmp';

const BUCKET = 'russ-fm-assets';
const APP = 'http://localhost:5173';
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const image = { contentType: 'image/jpeg', cacheControl: 'public, max-age=300', metadata: {} };

describe('gulp serve: CORS and render on demand (in-process, real HTTP)', () => {
  let root: string;
  let serving: Serving | undefined;
  let store: S3Store;
  const env = resolveEnvironment('development', {});
  const start = (extra: { origins?: string[]; render?: boolean } = {}) => startServe({
    env, directory: join(root, '.local-bucket'), port: 0, origins: extra.origins ?? [...DEFAULT_ORIGINS],
    render: extra.render === false ? undefined : { publicDir: join(root, 'public'), config: DEFAULT_IMAGE_CONFIG },
  });
  const get = (key: string, headers: Record<string, string> = {}, method = 'GET') => rawRequest((serving as Serving).endpoint, `/${BUCKET}/${key}`, { method, headers });

  beforeEach(async () => {
    root = await makeTmpDir('serve-lib');
    await writeAt(join(root, 'public'), albumSource('a'), await photoJpeg(1200, 900));
    await writeAt(join(root, 'public'), artistSource('b'), await photoJpeg(600, 900));
    serving = await start();
    const config = localStoreConfig(serving.endpoint, BUCKET);
    store = new S3Store(createS3Client(config, { maxAttempts: 1 }), config);
  });
  afterEach(async () => {
    await serving?.close();
    serving = undefined;
    await removeTmp(root);
  });

  it('answers a read from an allowed origin with Access-Control-Allow-Origin, and one from another origin without it', async () => {
    const body = await photoJpeg(64, 64);
    await store.put({ key: 'album/a/a-hi-res.jpg', body, md5: md5(body), ...image });
    const allowed = await get('album/a/a-hi-res.jpg', { Origin: APP });
    expect(allowed.status).to.equal(200);
    expect(allowed.headers['access-control-allow-origin']).to.equal(APP);
    expect(md5(allowed.body)).to.equal(md5(body));
    const other = await get('album/a/a-hi-res.jpg', { Origin: 'http://evil.example' });
    expect(other.status).to.equal(200);
    expect(other.headers['access-control-allow-origin']).to.equal(undefined);
  });

  it('answers a preflight for GET and HEAD from an allowed origin (204), refuses PUT or another origin (403, no CORS headers), and refuses any write a browser sends', async () => {
    const preflight = (origin: string, method: string) => get('album/a/a-medium.jpg', { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'range' }, 'OPTIONS');
    for (const method of ['GET', 'HEAD']) {
      const ok = await preflight(APP, method);
      expect(ok.status, method).to.equal(204);
      expect(ok.headers['access-control-allow-origin']).to.equal(APP);
      expect(ok.headers['access-control-allow-methods']).to.equal('GET, HEAD');
      expect(ok.headers['access-control-allow-headers']).to.equal('range');
    }
    for (const [origin, method] of [[APP, 'PUT'], ['http://evil.example', 'GET']] as const) {
      const refused = await preflight(origin, method);
      expect(refused.status, `${origin} ${method}`).to.equal(403);
      expect(refused.headers['access-control-allow-origin']).to.equal(undefined);
    }
    // A write a page could send without a preflight (a form POST, say) is refused too: browsers only read.
    for (const method of ['PUT', 'POST', 'DELETE']) {
      expect((await get('album/a/a-medium.jpg', { Origin: APP }, method)).status, method).to.equal(403);
    }
    expect(await store.head('album/a/a-medium.jpg')).to.equal(null);
  });

  it('renders a missing medium from public/ with the recipe (800 px, whole frame): a decodable JPEG, never written to the bucket', async () => {
    const answer = await get('album/a/a-medium.jpg', { Origin: APP });
    expect(answer.status).to.equal(200);
    expect(answer.headers['content-type']).to.equal('image/jpeg');
    expect(answer.headers['cache-control']).to.equal('no-store');
    expect(answer.headers[RENDERED_HEADER]).to.equal('album/a/a-hi-res.jpg');
    expect(answer.headers['access-control-allow-origin']).to.equal(APP);
    const meta = await sharp(answer.body).metadata();
    expect([meta.format, meta.width, meta.height]).to.deep.equal(['jpeg', 800, 600]);
    const avatar = await sharp((await get('artist/b/b-avatar.jpg')).body).metadata();
    expect([avatar.format, avatar.width, avatar.height]).to.deep.equal(['jpeg', 128, 128]);
    const head = await get('album/a/a-medium.jpg', {}, 'HEAD');
    expect([head.status, head.headers['content-length']]).to.deep.equal([200, String(answer.body.length)]);
    expect(await store.head('album/a/a-medium.jpg')).to.equal(null);
    expect((await listAll(store)).map((o) => o.key)).to.deep.equal([]);
  });

  it('404s an unknown slug, a size the recipe lacks, another object, and hostile keys (`..`, encoded dots and slashes), rendering nothing', async () => {
    const paths = [
      `/${BUCKET}/album/zzz/zzz-medium.jpg`, `/${BUCKET}/album/a/a-avatar.jpg`, `/${BUCKET}/album/a/a-small.jpg`, `/${BUCKET}/album/a/og-image.png`,
      `/${BUCKET}/album/../x`, `/${BUCKET}/album/%2e%2e/artist/b/b-medium.jpg`, `/${BUCKET}/album/..%2fartist%2fb/b-medium.jpg`,
      `/${BUCKET}/artist/%2E%2E/b-medium.jpg`, `/${BUCKET}/album/a%5c..%5c/a-medium.jpg`, `/${BUCKET}/album/%zz/a-medium.jpg`,
    ];
    for (const path of paths) {
      const answer = await rawRequest((serving as Serving).endpoint, path);
      expect(answer.status, path).to.equal(404);
      expect(answer.headers[RENDERED_HEADER], path).to.equal(undefined);
    }
  });

  it('signed requests see the bucket as it is: a missing image is NoSuchKey to the S3 API; the tool\'s records are served', async () => {
    const signed = await store.get('album/a/a-medium.jpg').then(() => undefined, (e: unknown) => e as { code?: string });
    expect(signed?.code).to.equal('NoSuchKey');
    const record = Buffer.from('{"ok":true}');
    await store.put({ key: '_state/probe.json', body: record, md5: md5(record), contentType: 'application/json', cacheControl: 'no-store', metadata: {} });
    expect((await store.head('_state/probe.json'))?.etag).to.equal(md5(record));
  });

  it('ignores the app\'s cache-buster query on a public read (?cors=webgl), as R2 does', async () => {
    const body = await photoJpeg(64, 64);
    await store.put({ key: 'album/a/a-medium.jpg', body, md5: md5(body), ...image });
    const answer = await rawRequest((serving as Serving).endpoint, `/${BUCKET}/album/a/a-medium.jpg?cors=webgl`, { headers: { Origin: APP } });
    expect([answer.status, md5(answer.body), answer.headers['cache-control']]).to.deep.equal([200, md5(body), image.cacheControl]);
  });

  it('verify --public counts an answer render on demand made as missing from the bucket, not as served', async () => {
    const { problems } = await publicCheck(`${(serving as Serving).endpoint}/${BUCKET}`,
      [{ key: 'album/a/a-medium.jpg', md5: 'x', sha256: 'y', size: 1, contentType: 'image/jpeg', cacheControl: image.cacheControl }], { concurrency: 1 });
    expect(problems.map((p) => [p.kind, /rendered it on demand/.test(p.reason)])).to.deep.equal([['public-missing', true]]);
  });

  it('refuses a second serve over the same folder while the first runs, naming its pid and URL; with --no-render a missing image is a 404', async () => {
    const error = await start().then(() => undefined, (e: unknown) => e as { code: string; message: string; hint: string });
    expect(error?.code).to.equal('E_SERVE');
    expect(error?.message).to.include(`pid ${process.pid}`).and.include((serving as Serving).endpoint);
    await (serving as Serving).close();
    serving = await start({ render: false });
    expect((await get('album/a/a-medium.jpg')).status).to.equal(404);
    expect(await readdir(join(root, '.local-bucket'))).to.include('.serve.json');
  });

  it('a source that cannot be decoded is a 500 naming it; the server keeps serving', async () => {
    await writeFile(join(root, 'public', albumSource('a')), '<html>not a cover</html>');
    const broken = await get('album/a/a-medium.jpg');
    expect(broken.status).to.equal(500);
    expect(broken.body.toString()).to.include('album/a/a-hi-res.jpg').and.include('HTML');
    expect((await get('artist/b/b-medium.jpg')).status).to.equal(200);
  });
});
