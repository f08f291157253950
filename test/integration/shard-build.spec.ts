import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { shardOf, type Shard } from '../../lib/images/shard';
import { readRemoteBuildCache } from '../../lib/releases/remote-build-cache';
import { readReleaseManifest } from '../../lib/releases/release-manifest';
import { listFiles, runBuild } from '../helpers/build';
import { spawnGulp } from '../helpers/cli';
import { photoJpeg } from '../helpers/fixtures';
import { PHOTO } from '../helpers/paths';
import { makeTmpDir, removeTmp, writeAt } from '../helpers/tmp';
import { latestRelease } from '../support/bucket-checks';
import { servedObjects } from '../support/mirror-pair';
import { requireServer, SERVERS, SyncHarness } from '../support/sync-harness';

// Issue [10/10]: `gulp build --shard i/n` on n runners, their dist/ folders downloaded into one, publishes
// the same bucket, byte for byte, as one build of everything.
const SLUGS = ['abba', 'bjork', 'cher', 'dido', 'enya', 'faith', 'garbage', 'heart', 'incubus'];
const PHOTOS = [PHOTO.landscape, PHOTO.bee, PHOTO.bridge];

for (const server of SERVERS) {
  describe(`sharded builds (gulp build --shard i/n), against ${server}`, function () {
    this.timeout(180_000);
    let root: string;
    let src: string;
    const harnesses: SyncHarness[] = [];
    const start = async () => { const h = await SyncHarness.start(server); harnesses.push(h); return h; };
    const ws = (name: string) => ({ root: join(root, name), src, dest: join(root, name, 'dist'), cache: join(root, name, 'cache') });
    const buildShard = (shard: Shard, name = `shard-${shard.index}`) => runBuild(ws(name), { scope: { shard } });
    /** n shard builds on their own "runners", their dist/ folders downloaded into one (as the workflow's artifacts). */
    async function shardedDist(count: number): Promise<string> {
      const merged = join(root, `merged-${count}`);
      for (let index = 1; index <= count; index += 1) {
        expect(await buildShard({ index, count })).to.include({ failed: 0 });
        await cp(ws(`shard-${index}`).dest, merged, { recursive: true });
      }
      return merged;
    }

    before(async function () {
      await requireServer(this, server);
      root = await makeTmpDir('shards');
      src = join(root, 'public');
      for (const [i, slug] of SLUGS.entries()) {
        const type = i % 4 === 3 ? 'artist' : 'album';
        await writeAt(src, `${type}/${slug}/${slug}-hi-res.jpg`, await photoJpeg(400 + i * 20, 400, PHOTOS[i % 3]));
      }
      // The sources fall in every one of 3 shards (else the test would not show a merge).
      expect(new Set(SLUGS.map((slug) => shardOf(`album/${slug}/x`, 3)))).to.have.length(3);
    });
    afterEach(async () => { for (const h of harnesses.splice(0)) await h.close(); });
    after(async () => { if (root) await removeTmp(root); });

    it('n = 3 gives the same bucket, byte for byte and header for header, as n = 1; its release records the same objects and manifest sources', async () => {
      const whole = await start();
      expect(await runBuild(ws('whole'))).to.include({ sources: SLUGS.length, failed: 0 });
      whole.dist = ws('whole').dest;
      await whole.sync({ delete: true });

      const sharded = await start();
      sharded.dist = await shardedDist(3);
      const outcome = await sharded.sync({ delete: true });
      expect(outcome.result?.failures).to.deep.equal([]);

      const [a, b] = [await servedObjects(whole.direct), await servedObjects(sharded.direct)];
      expect(Object.keys(a)).to.have.length.above(SLUGS.length * 2);
      expect(b).to.deep.equal(a);
      const [ra, rb] = [await latestRelease(whole.direct), await latestRelease(sharded.direct)];
      expect(rb?.objects).to.deep.equal(ra?.objects);
      const [ma, mb] = await Promise.all([readReleaseManifest(whole.direct, ra?.manifest as never), readReleaseManifest(sharded.direct, rb?.manifest as never)]);
      expect(mb.sources).to.deep.equal(ma.sources);
      expect(await sharded.verify()).to.deep.include({ findings: [] });
    });

    it('a missing shard stops the sync before any request that writes: nothing is deleted, even with --delete', async () => {
      const h = await start();
      h.dist = await shardedDist(3);
      await h.sync({ delete: true });
      const before = await servedObjects(h.direct);
      const partial = join(root, 'partial');
      await cp(ws('shard-1').dest, partial, { recursive: true });
      await cp(ws('shard-3').dest, partial, { recursive: true });
      h.dist = partial;
      h.proxy.reset();
      const refused = await h.sync({ delete: true, limits: { count: 1000, percent: 100 } }).then(() => undefined, (e: Error) => e);
      expect(refused?.message).to.match(/is missing shard\(s\) 2 of 3 \(images\.shard-2-of-3\.json\)/);
      expect(h.proxy.total).to.equal(0);
      expect(await servedObjects(h.direct)).to.deep.equal(before);

      // A folder with a whole build's images.json and shard manifests is not guessed at either.
      await cp(join(partial, 'images.shard-1-of-3.json'), join(partial, 'images.json'));
      const both = await h.sync().then(() => undefined, (e: Error) => e);
      expect(both?.message).to.match(/holds both images\.json and shard manifests/);
    });

    it('a shard on a fresh runner with the remote build cache renders nothing and keeps to its own sources', async () => {
      const h = await start();
      h.dist = await shardedDist(3);
      await h.sync({ delete: true });
      const cache = await readRemoteBuildCache(h.store);
      if ('none' in cache) throw new Error(cache.none);
      const fresh = join(root, 'fresh');
      const summary = await runBuild({ root: fresh, src, dest: join(fresh, 'dist'), cache: join(fresh, 'cache') }, { scope: { shard: { index: 2, count: 3 } }, remote: cache });
      const mine = SLUGS.filter((slug) => shardOf(`x/${slug}/x`, 3) === 2).length;
      expect(summary).to.include({ sources: mine, built: 0, remote: mine, removed: 0 });
      expect(existsSync(join(fresh, 'dist', 'images.shard-2-of-3.json'))).to.equal(true);
      expect(existsSync(join(fresh, 'dist', 'images.json'))).to.equal(false);
      expect(await listFiles(join(fresh, 'dist'), true)).to.deep.equal(['images.shard-2-of-3.json']);
    });

    // From the new-user trial: with one --cache-dir, the second shard took only the first shard's manifest
    // copy (the newest) as known, and rendered again what the whole build had rendered.
    it('shard builds sharing a --cache-dir with a whole build render nothing again, whichever shard runs first', async () => {
      const cache = join(root, 'shared-cache');
      expect(await runBuild({ ...ws('shared-whole'), cache })).to.include({ failed: 0 });
      for (const index of [1, 2, 3]) {
        const summary = await runBuild({ ...ws(`shared-${index}`), cache }, { scope: { shard: { index, count: 3 } } });
        expect(summary, `shard ${index}`).to.include({ built: 0, failed: 0 });
        expect(summary.outputsRestored, `shard ${index}`).to.be.above(0);
      }
    });

    it('`gulp build --shard` writes only its part and its own manifest; a bad --shard is refused before anything runs', async () => {
      const dest = join(root, 'cli', 'dist');
      await mkdir(dest, { recursive: true });
      const ok = await spawnGulp(['build', '--shard', '1/3', '--src', src, '--dest', dest, '--cache-dir', join(root, 'cli', 'cache')], {}, 90_000);
      expect(ok.status, ok.output).to.equal(0);
      const mine = SLUGS.filter((slug) => shardOf(`x/${slug}/x`, 3) === 1);
      expect(ok.output).to.contain(`build: ${mine.length} sources — ${mine.length} built`);
      const files = await listFiles(dest, true);
      expect(files).to.include('images.shard-1-of-3.json').and.not.include('images.json');
      expect(files.filter((f) => f !== 'images.shard-1-of-3.json').every((f) => mine.includes(f.split('/')[1] as string))).to.equal(true);
      for (const bad of ['0/3', '4/3', '1/0', 'a/b', '1/300']) {
        const refused = await spawnGulp(['build', '--shard', bad, '--src', src, '--dest', dest], {}, 30_000);
        expect(refused.status, bad).to.not.equal(0);
        expect(refused.output, bad).to.contain(`--shard "${bad}": use i/n`);
        expect(refused.output, bad).to.not.match(/^build: /m);
      }
    });
  });
}
