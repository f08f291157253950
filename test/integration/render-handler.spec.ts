import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { DEFAULT_IMAGE_CONFIG } from '../../lib/images/config';
import { renderHandler, type ConnectHandler } from '../../lib/serve/connect-handler';
import { OnDemandRenderer } from '../../lib/serve/render-on-demand';
import { russFmAssets } from '../../lib/serve/vite-plugin';
import { withDeadline } from '../helpers/deadline';
import { photoJpeg, photoJpegEdited } from '../helpers/fixtures';
import { albumSource, artistSource } from '../helpers/paths';
import { rawRequest } from '../helpers/serve';
import { makeTmpDir, removeTmp, writeAt } from '../helpers/tmp';

/** The handler mounted on a tiny server; what it passes on answers 418 "next". */
async function mount(handler: ConnectHandler): Promise<{ endpoint: string; server: Server }> {
  const server = createServer((req, res) => handler(req, res, () => { res.statusCode = 418; res.end('next'); }));
  await withDeadline(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)), 5_000, 'listen');
  return { endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

describe('gulp serve: render on demand as a connect handler (the Vite plugin)', () => {
  let root: string;
  let publicDir: string;
  let server: Server | undefined;
  beforeEach(async () => {
    root = await makeTmpDir('render-handler');
    publicDir = join(root, 'public');
    await writeAt(publicDir, albumSource('a'), await photoJpeg(1200, 900));
    await writeAt(publicDir, artistSource('b'), await photoJpeg(600, 900));
  });
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
    await removeTmp(root);
  });

  it('the Vite plugin registers one handler that renders a missing size from public/ with the recipe (GET and HEAD)', async () => {
    const handlers: ConnectHandler[] = [];
    const plugin = russFmAssets({ publicDir, config: DEFAULT_IMAGE_CONFIG });
    expect([plugin.name, plugin.apply]).to.deep.equal(['russfm-assets', 'serve']);
    plugin.configureServer({ middlewares: { use: (handler) => handlers.push(handler) } });
    expect(handlers).to.have.length(1);
    const mounted = await mount(handlers[0] as ConnectHandler);
    server = mounted.server;
    const medium = await rawRequest(mounted.endpoint, '/album/a/a-medium.jpg');
    expect([medium.status, medium.headers['content-type']]).to.deep.equal([200, 'image/jpeg']);
    const meta = await sharp(medium.body).metadata();
    expect([meta.format, meta.width, meta.height]).to.deep.equal(['jpeg', 800, 600]);
    const avatar = await sharp((await rawRequest(mounted.endpoint, '/artist/b/b-avatar.jpg')).body).metadata();
    expect([avatar.width, avatar.height]).to.deep.equal([128, 128]);
    const head = await rawRequest(mounted.endpoint, '/album/a/a-medium.jpg', { method: 'HEAD' });
    expect([head.status, head.headers['content-length'], head.body.length]).to.deep.equal([200, String(medium.body.length), 0]);
  });

  it('404s unknown slugs and sizes and hostile image paths; app routes, data files, files public/ has and other methods go to next()', async () => {
    await writeAt(publicDir, 'album/a/a-small.jpg', await photoJpeg(40, 40));
    const mounted = await mount(renderHandler({ renderer: new OnDemandRenderer({ publicDir, config: DEFAULT_IMAGE_CONFIG }) }));
    server = mounted.server;
    const status = async (path: string, method = 'GET') => (await rawRequest(mounted.endpoint, path, { method })).status;
    for (const path of ['/album/zzz/zzz-medium.jpg', '/album/a/a-avatar.jpg', '/album/%2e%2e/artist/b/b-medium.jpg', '/album/..%2F..%2Fetc/x-medium.jpg', '/artist/b%5c..%5cb/b-medium.jpg']) {
      expect(await status(path), path).to.equal(404);
    }
    for (const path of ['/album/a', '/album/a/a.json', '/album/a/a-small.jpg', '/index.html', '/album/../x']) expect(await status(path), path).to.equal(418);
    expect(await status('/album/a/a-medium.jpg', 'POST')).to.equal(418);
  });

  it('a file in public/ that is a link out of it (or a loop) is a 404, and the server keeps serving', async () => {
    await writeAt(root, 'victim.txt', 'secret');
    await mkdir(join(publicDir, 'album', 'x'), { recursive: true });
    await symlink(join(root, 'victim.txt'), join(publicDir, 'album', 'x', 'x-medium.jpg'));
    await symlink('loop', join(publicDir, 'album', 'x', 'loop'));
    await symlink(join(publicDir, 'album', 'x', 'loop'), join(publicDir, 'album', 'x', 'x-avatar.jpg'));
    const mounted = await mount(renderHandler({ renderer: new OnDemandRenderer({ publicDir, config: DEFAULT_IMAGE_CONFIG }) }));
    server = mounted.server;
    for (const path of ['/album/x/x-medium.jpg', '/album/x/x-avatar.jpg']) expect((await rawRequest(mounted.endpoint, path)).status, path).to.equal(404);
    expect((await rawRequest(mounted.endpoint, '/album/a/a-medium.jpg')).status, 'still serving').to.equal(200);
  });

  it('renders an image once while its source is unchanged and again when public/ changes; an undecodable source is a 500 naming it', async () => {
    const renderer = new OnDemandRenderer({ publicDir, config: DEFAULT_IMAGE_CONFIG });
    const first = await renderer.render('album/a/a-medium.jpg');
    expect(await renderer.render('album/a/a-medium.jpg')).to.equal(first);
    await writeFile(join(publicDir, albumSource('a')), await photoJpegEdited(1200, 900));
    const changed = await renderer.render('album/a/a-medium.jpg');
    expect(changed?.body.equals(first?.body as Buffer)).to.equal(false);
    await writeFile(join(publicDir, artistSource('b')), Buffer.alloc(0));
    const reported: string[] = [];
    const mounted = await mount(renderHandler({ renderer, onRenderError: (key) => reported.push(key) }));
    server = mounted.server;
    const broken = await rawRequest(mounted.endpoint, '/artist/b/b-medium.jpg');
    expect(broken.status).to.equal(500);
    expect(broken.body.toString()).to.include('artist/b/b-hi-res.jpg').and.include('empty file');
    expect(reported).to.deep.equal(['artist/b/b-medium.jpg']);
  });
});
