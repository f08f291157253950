import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CACHE_CONTROL } from '../../lib/config/environment';
import { readManifestOf } from '../helpers/build';
import { spawnGulp } from '../helpers/cli';
import { photoJpeg, photoJpegEdited } from '../helpers/fixtures';
import { useWorkspace, writeAt } from '../helpers/tmp';
import { CachingCdn } from '../servers/caching-cdn';
import { CloudflareApi } from '../servers/cloudflare-api';
import { SyncHarness } from '../support/sync-harness';

const TOKEN = 'purge-token-stale-cover-0123';
const ZONE = 'ab'.repeat(16);
const COVER = 'album/abba/abba-medium.jpg';
const DAY = 86_400_000;

/**
 * The proof, end to end through `gulp build` and `gulp sync --env production`: a caching proxy that
 * honours Cache-Control (as Cloudflare's edge does) in front of a real bucket, and a local purge API that
 * drops what it is told to from that cache.
 */
describe('no stale covers: a cover replaced under its key is served new through the CDN once sync purges it', () => {
  const ws = useWorkspace('stale-cover');
  let h: SyncHarness;
  let cdn: CachingCdn;
  let api: CloudflareApi;
  let cdnBase: string;
  let apiBase: string;
  let skew = 0;

  beforeEach(async () => {
    skew = 0;
    h = await SyncHarness.start();
    cdn = new CachingCdn(h.server.publicBase, () => Date.now() + skew);
    cdnBase = await cdn.start();
    api = new CloudflareApi({ token: TOKEN, zoneId: ZONE });
    api.onPurge = (body) => cdn.applyPurge(body);
    apiBase = await api.start();
  });
  afterEach(async () => { await Promise.all([cdn.close(), api.close(), h.close()]); });

  const purgeEnv = () => ({ CLOUDFLARE_PURGE_TOKEN: TOKEN, CLOUDFLARE_ZONE_ID: ZONE, CLOUDFLARE_API_URL: apiBase });
  const dirs = () => ['--src', ws.current.src, '--dest', ws.current.dest, '--cache-dir', ws.current.cache];
  async function deploy(cover: Buffer, extra: Record<string, string>): Promise<string> {
    await writeAt(ws.current.src, 'album/abba/abba-hi-res.jpg', cover);
    const build = await spawnGulp(['build', ...dirs()], {});
    expect(build.status, build.output).to.equal(0);
    const sync = await spawnGulp(['sync', '--env', 'production', '--dest', ws.current.dest], { ...h.cliEnv(), R2_PUBLIC_DOMAIN: cdnBase, ...extra });
    expect(sync.status, sync.output).to.equal(0);
    return sync.output;
  }
  const served = async (path: string) => {
    const answer = await fetch(`${cdnBase}/${path}`);
    return { status: answer.status, cache: answer.headers.get('cf-cache-status'), cacheControl: answer.headers.get('cache-control'), body: Buffer.from(await answer.arrayBuffer()) };
  };
  const built = () => readFile(join(ws.current.dest, COVER));

  it('with a purge token: the public URL serves the new cover at once, though the edge keeps covers a year', async () => {
    await deploy(await photoJpeg(1200, 1200), purgeEnv());
    const v1 = await built();
    expect((await served(COVER)).cache).to.equal('MISS');
    const first = await served(COVER);
    expect(first).to.include({ status: 200, cache: 'HIT', cacheControl: CACHE_CONTROL.production });
    expect(first.body.equals(v1)).to.equal(true);
    skew = 30 * DAY; // a browser's day is long gone; the edge's year (s-maxage) is not
    expect((await served(COVER)).cache).to.equal('HIT');

    const output = await deploy(await photoJpegEdited(1200, 1200), purgeEnv());
    const v2 = await built();
    expect(v2.equals(v1)).to.equal(false);
    expect(output).to.match(/CDN: purged 2 changed URL\(s\) URL by URL in 1 request\(s\)/);
    // Both deploys purged what they wrote: the first its creates (a 404 cached before them would linger 3 minutes), the second the replaced cover.
    const urls = [`${cdnBase}/album/abba/abba-hi-res.jpg`, `${cdnBase}/${COVER}`];
    expect(api.purges.map((p) => [...(p.files ?? [])].sort())).to.deep.equal([urls, urls]);
    const after = await served(COVER);
    expect(after).to.include({ status: 200, cache: 'MISS' });
    expect(after.body.equals(v2)).to.equal(true);
  });

  it('its twin without a token: the edge still serves the old cover (the purge made the difference), the sync lists the URLs, and the versioned URL is new anyway', async () => {
    await deploy(await photoJpeg(1200, 1200), {});
    const v1 = await built();
    await served(COVER);
    const output = await deploy(await photoJpegEdited(1200, 1200), {});
    const v2 = await built();
    expect(output).to.match(/CDN: 2 changed URL\(s\), not purged \(set CLOUDFLARE_PURGE_TOKEN and CLOUDFLARE_ZONE_ID[^\n]*\n {2}http:\/\/127\.0\.0\.1:\d+\/album\/abba\/abba-hi-res\.jpg\n {2}http:\/\/127\.0\.0\.1:\d+\/album\/abba\/abba-medium\.jpg/);
    expect(api.received).to.equal(0);
    const stale = await served(COVER);
    expect(stale.cache).to.equal('HIT');
    expect(stale.body.equals(v1)).to.equal(true);
    const variant = Object.values((await readManifestOf(ws.current)).sources)[0]?.variants.find((v) => v.key === COVER);
    expect(variant?.versioned).to.match(/^album\/abba\/abba-medium\.jpg\?v=[0-9a-f]{8}$/);
    const versioned = await served(variant?.versioned as string);
    expect(versioned.cache).to.equal('MISS');
    expect(versioned.body.equals(v2)).to.equal(true);
  });
});
