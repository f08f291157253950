import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnGulp } from '../helpers/cli';
import { photoJpeg, photoJpegEdited } from '../helpers/fixtures';
import { useWorkspace, writeAt } from '../helpers/tmp';
import { CloudflareApi } from '../servers/cloudflare-api';
import { SyncHarness } from '../support/sync-harness';

const TOKEN = 'purge-token-cli-0123456789';
const ZONE = 'cd'.repeat(16);
const PUBLIC = 'https://assets.example.test';
const url = (key: string) => `${PUBLIC}/${key}`;

/** The purge after a change and `gulp purge`, through the real tasks, against s3rver and the local purge API. */
describe('CDN purge through the commands: exit 3 when only the purge failed, and gulp purge redoes it', () => {
  const ws = useWorkspace('purge-cli');
  let h: SyncHarness;
  let api: CloudflareApi;
  let env: Record<string, string>;

  beforeEach(async () => {
    h = await SyncHarness.start();
    api = new CloudflareApi({ token: TOKEN, zoneId: ZONE });
    env = { ...h.cliEnv(), R2_PUBLIC_DOMAIN: PUBLIC, CLOUDFLARE_PURGE_TOKEN: TOKEN, CLOUDFLARE_ZONE_ID: ZONE, CLOUDFLARE_API_URL: await api.start() };
  });
  afterEach(async () => { await Promise.all([api.close(), h.close()]); });

  const gulp = (args: string[], extra: Record<string, string> = {}) => spawnGulp([...args, '--env', 'production'], { ...env, ...extra });
  async function build(covers: Record<string, Buffer>): Promise<void> {
    for (const [slug, bytes] of Object.entries(covers)) await writeAt(ws.current.src, `album/${slug}/${slug}-hi-res.jpg`, bytes);
    const run = await spawnGulp(['build', '--src', ws.current.src, '--dest', ws.current.dest, '--cache-dir', ws.current.cache], {});
    expect(run.status, run.output).to.equal(0);
  }
  const purged = () => api.purges.flatMap((p) => (p.files ?? []).map((f) => (typeof f === 'string' ? f : f.url))).sort();

  it('a sync whose purge fails is still a sync (bucket right, exit 3, the URLs in its report), and `gulp purge --urls <report>` purges exactly those', async () => {
    await build({ abba: await photoJpeg(900, 900) });
    api.faultFor = () => ({ status: 500 });
    const summary = join(ws.current.root, 'step-summary.md');
    const sync = await gulp(['sync', '--dest', ws.current.dest], { GITHUB_STEP_SUMMARY: summary });
    expect(sync.status, sync.output).to.equal(3);
    expect(sync.output).to.match(/sync to production is done, but the CDN purge failed for 2 of 2 URL\(s\): the CDN may serve them stale/);
    expect(sync.output).to.not.contain(TOKEN);
    expect(Object.keys(await h.contents()).sort()).to.deep.equal(['album/abba/abba-hi-res.jpg', 'album/abba/abba-medium.jpg']);
    expect((await gulp(['verify', '--dest', ws.current.dest])).status).to.equal(0);
    const report = /gulp purge --env production --urls (\S+\.json)/.exec(sync.output)?.[1];
    expect(report, sync.output).to.be.a('string');
    const written = JSON.parse(await readFile(report as string, 'utf8')) as { ok: boolean; purge: { status: string; unpurged: unknown[] } };
    expect([written.ok, written.purge.status, written.purge.unpurged.length], 'the report says the edge is not right').to.deep.equal([false, 'failed', 2]);
    expect(await readFile(summary, 'utf8')).to.match(/### Image sync \(production\) ❌[\s\S]*⚠️ CDN: purge failed for 2 of 2 changed URL\(s\) \(listed under purge.unpurged in the report\)/);

    api.faultFor = undefined;
    const redo = await gulp(['purge', '--urls', report as string]);
    expect(redo.status, redo.output).to.equal(0);
    expect(redo.output).to.match(/CDN: purged 2 changed URL\(s\) URL by URL in 1 request\(s\)/);
    expect(purged()).to.deep.equal([url('album/abba/abba-hi-res.jpg'), url('album/abba/abba-medium.jpg')]);
  });

  it('gulp purge --release latest purges what that release changed (dry run first: nothing sent), by prefix above the threshold', async () => {
    await build({ abba: await photoJpeg(900, 900), bjork: await photoJpeg(700, 700) });
    expect((await gulp(['sync', '--dest', ws.current.dest])).status).to.equal(0);
    await build({ abba: await photoJpegEdited(900, 900), bjork: await photoJpeg(700, 700) });
    const purgesBefore = api.purges.length;
    const preview = await gulp(['sync', '--dest', ws.current.dest, '--dry-run']);
    expect(preview.output).to.match(/dry run: nothing was changed\nCDN: 2 changed URL\(s\) would be purged in 1 request\(s\), URL by URL/);
    expect(api.purges.length, 'a dry run sends no purge').to.equal(purgesBefore);
    expect((await gulp(['sync', '--dest', ws.current.dest])).status).to.equal(0);
    const before = api.purges.length;

    const dry = await gulp(['purge', '--release', 'latest', '--dry-run']);
    expect(dry.status, dry.output).to.equal(0);
    expect(dry.output).to.match(/purge plan \(release \S+\): 2 URL\(s\) in 1 request\(s\), URL by URL \(100 per request\)/);
    expect(dry.output).to.match(/dry run: nothing was sent/);
    expect(api.purges.length).to.equal(before);

    const config = join(ws.current.root, 'assets.config.json');
    await writeFile(config, JSON.stringify({ cdn: { purgeByPrefixAbove: 1 } }));
    const real = await gulp(['purge', '--release', 'latest'], { ASSETS_CONFIG: config });
    expect(real.status, real.output).to.equal(0);
    expect(real.output).to.match(/CDN: purged 2 changed URL\(s\) by prefix \(assets\.example\.test\/album\/\) in 1 request\(s\)/);
    expect(api.purges.at(-1)).to.deep.equal({ prefixes: ['assets.example.test/album/'] });
  });

  it('a rollback and a repair purge what they changed; prune and a no-change sync purge nothing', async () => {
    await build({ abba: await photoJpeg(900, 900) });
    expect((await gulp(['sync', '--dest', ws.current.dest])).status).to.equal(0);
    await build({ abba: await photoJpegEdited(900, 900) });
    expect((await gulp(['sync', '--dest', ws.current.dest])).status).to.equal(0);
    let count = api.purges.length;
    expect((await gulp(['sync', '--dest', ws.current.dest])).status).to.equal(0);
    expect(api.purges.length, 'a no-change sync').to.equal(count);

    await h.direct.deleteMany(['album/abba/abba-medium.jpg']);
    const repair = await gulp(['verify', '--repair', '--dest', ws.current.dest]);
    expect(repair.status, repair.output).to.equal(0);
    expect(api.purges.at(-1)?.files).to.deep.equal([url('album/abba/abba-medium.jpg')]);
    expect(api.purges.length).to.equal(count + 1);

    const back = await gulp(['restore', '--release', 'previous', '--yes']);
    expect(back.status, back.output).to.equal(0);
    count = api.purges.length;
    expect(api.purges.at(-1)?.files).to.have.members([url('album/abba/abba-hi-res.jpg'), url('album/abba/abba-medium.jpg')]);

    const prune = await gulp(['prune', '--keep', '1', '--yes']);
    expect(prune.status, prune.output).to.equal(0);
    expect(api.purges.length, 'prune touches no public key').to.equal(count);
  });

  it('refuses a hand-made list naming another site before sending anything, and a purge token without R2_PUBLIC_DOMAIN', async () => {
    const list = join(ws.current.root, 'urls.txt');
    await writeFile(list, `${url('album/a/a-medium.jpg')}\nhttps://victim.example/everything\n`);
    const hostile = await gulp(['purge', '--urls', list]);
    expect(hostile.status).to.equal(1);
    expect(hostile.output).to.match(/line 2: "https:\/\/victim\.example\/everything" is not under the public base URL https:\/\/assets\.example\.test/);
    expect(api.received).to.equal(0);
    const noDomain = await gulp(['sync', '--dest', ws.current.dest], { R2_PUBLIC_DOMAIN: '' });
    expect(noDomain.status).to.equal(1);
    expect(noDomain.output).to.contain('CLOUDFLARE_PURGE_TOKEN is set but R2_PUBLIC_DOMAIN is not');
  });
  it('the default pipeline verifies after a sync whose purge failed, then exits 3 (the bucket is proved right)', async () => {
    await writeAt(ws.current.src, 'album/abba/abba-hi-res.jpg', await photoJpeg(900, 900));
    api.faultFor = () => ({ status: 500 });
    const run = await gulp(['--src', ws.current.src, '--dest', ws.current.dest, '--cache-dir', ws.current.cache]);
    expect(run.status, run.output).to.equal(3);
    expect(run.output).to.match(/verify \(listing\): 2 objects in the build, 2 in the bucket, 2 verified: 0 missing, 0 corrupt/);
    expect(run.output.indexOf('verify (listing)')).to.be.lessThan(run.output.lastIndexOf('sync to production is done, but the CDN purge failed'));
  });

  it('Ctrl-C during the purge stops it cleanly: the sync is done and reported, the URLs left are named, exit 130', async () => {
    await build({ abba: await photoJpeg(900, 900) });
    api.faultFor = () => 'hang';
    let sent = false;
    const run = await spawnGulp(['sync', '--env', 'production', '--dest', ws.current.dest], env, 60_000, undefined, (output, child) => {
      if (!sent && output.includes('CDN: purging 2 URL(s)')) { sent = true; setTimeout(() => child.kill('SIGINT'), 300); }
    });
    expect(run.status, run.output).to.equal(130);
    expect(run.output).to.match(/sync to production is done; its CDN purge was stopped by Ctrl-C with 2 of 2 URL\(s\) left\n\s+→ run `gulp purge --env production --urls \S+\.json` to purge them/);
    expect(Object.keys(await h.contents()).sort()).to.deep.equal(['album/abba/abba-hi-res.jpg', 'album/abba/abba-medium.jpg']);
  });
});
