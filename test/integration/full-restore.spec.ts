import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CACHE_CONTROL } from '../../lib/config/environment';
import { DEFAULT_IMAGE_CONFIG } from '../../lib/images/config';
import { DEFAULT_DELETE_LIMITS } from '../../lib/plan/sync-plan';
import { runFullRestore } from '../../lib/restore/run-full-restore';
import { isClean } from '../../lib/verify/run-verify';
import { spawnGulp } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/paths';
import { requireServer, SERVERS, SyncHarness } from '../support/sync-harness';
import { listAll } from '../../lib/storage/object-store';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

for (const server of SERVERS) {
  describe(`gulp restore with no release: rebuild from the sources, repair the bucket, verify, against ${server}`, function () {
    this.timeout(120_000);
    let h: SyncHarness;
    let work = '';
    const dest = () => join(work, 'dist');
    const options = (force = false) => ({
      build: { src: join(REPO_ROOT, 'public'), dest: dest(), cacheDir: join(work, 'cache'), config: DEFAULT_IMAGE_CONFIG, concurrency: 2, scope: {}, quiet: true },
      verify: { cacheControl: CACHE_CONTROL.development, scope: {}, deep: false, concurrency: 4, quiet: true },
      repair: { delete: false, limits: DEFAULT_DELETE_LIMITS, dryRun: false, concurrency: 4, quiet: true, environment: 'test' },
      force,
    });
    before(async function () { await requireServer(this, server); });
    beforeEach(async () => {
      h = await SyncHarness.start(server);
      work = await mkdtemp(join(tmpdir(), 'full-restore-'));
    });
    afterEach(async () => {
      await h?.close();
      await rm(work, { recursive: true, force: true });
    });

    // From the new user's trial: `gulp restore --dry-run` rewrote dist/ (deleting the webp and avif outputs) and the cache.
    it('a dry run plans from a scratch rebuild: dist/, the cache and the bucket are left as they were; its real twin sends that plan', async () => {
      const dry = await runFullRestore(h.store, { ...options(), repair: { ...options().repair, dryRun: true } });
      expect(dry.repair.plan.actions.filter((a) => a.kind === 'create')).to.have.length(25);
      expect(await readFile(join(dest(), 'images.json')).catch(() => 'none')).to.equal('none');
      expect(await readFile(join(work, 'cache', 'source-index.json')).catch(() => 'none')).to.equal('none');
      expect(await listAll(h.direct)).to.deep.equal([]);
      const real = await runFullRestore(h.store, options());
      expect(real.repair.result?.completed.create).to.equal(25);
    });

    it('after 10 % deleted and 5 % corrupted, finds every one, re-sends only those, and verifies clean', async () => {
      const first = await runFullRestore(h.store, options()); // an empty bucket: everything is missing
      expect(first.repair.result?.completed.create).to.equal(25);
      expect(isClean(first.after as never)).to.equal(true);
      const keys = Object.keys(await h.contents()).sort();
      const deleted = keys.filter((_, i) => i % 10 === 0); // 3 of 25 (8 albums × hi-res, medium; 3 artists × hi-res, medium, avatar)
      const corrupted = keys.filter((_, i) => i % 20 === 5); // 1 of 25
      await h.direct.deleteMany(deleted);
      for (const key of corrupted) {
        const junk = Buffer.from(`not the image ${key}`);
        await h.direct.put({ key, body: junk, md5: md5(junk), contentType: 'image/jpeg', cacheControl: CACHE_CONTROL.development, metadata: {} });
      }
      h.proxy.reset();
      const outcome = await runFullRestore(h.store, options());
      expect(outcome.before.findings.map((f) => [f.kind, f.key]).sort()).to.deep.equal(
        [...deleted.map((k) => ['missing', k]), ...corrupted.map((k) => ['corrupt', k])].sort());
      // + the writer lock, the state record marked before the first write and saved after; the state is the latest
      // release's, so no new one
      expect(h.proxy.counts.put).to.equal(deleted.length + corrupted.length + 3);
      expect(outcome.repair.release).to.equal(undefined);
      expect(h.proxy.counts.copy).to.equal(corrupted.length); // the corrupt bytes archived before the overwrite
      expect(isClean(outcome.after as never)).to.equal(true);
      const body = await readFile(join(dest(), corrupted[0] as string));
      expect((await h.head(corrupted[0] as string))?.etag).to.equal(md5(body));

      h.proxy.reset();
      const forced = await runFullRestore(h.store, options(true));
      expect(forced.repair.result?.completed.create).to.equal(25);
      expect(h.proxy.counts.put).to.equal(28);
    });

    it('from the command line: --delete asks for --yes off a terminal, and deletes nothing without it', async () => {
      const first = await runFullRestore(h.store, options());
      expect(first.repair.release).to.deep.include({ reason: 'rebuild' });
      const extra = Buffer.from('not in the build');
      await h.direct.put({ key: 'album/zz/zz-small.jpg', body: extra, md5: md5(extra), contentType: 'image/jpeg', cacheControl: CACHE_CONTROL.development, metadata: {} });
      const args = ['restore', '--src', join(REPO_ROOT, 'public'), '--dest', dest(), '--cache-dir', join(work, 'cache'), '--delete', '--max-delete', '10,100%'];
      const refused = await spawnGulp(args, h.cliEnv(), 120_000);
      expect(refused.status, refused.output).to.not.equal(0);
      expect(refused.output).to.match(/no longer has 1 object\(s\):\n  delete album\/zz\/zz-small\.jpg[\s\S]*not applying the restore --delete without --yes/);
      expect(await h.contents()).to.include.keys('album/zz/zz-small.jpg');
      const applied = await spawnGulp([...args, '--yes'], h.cliEnv(), 120_000);
      expect(applied.status, applied.output).to.equal(0);
      expect(await h.contents()).to.not.include.keys('album/zz/zz-small.jpg');
      expect(await h.text(`_archive/md5-${md5(extra)}`)).to.equal('not in the build'); // even an extra is archived before it goes
    });

    it('from the command line: a wiped bucket (every key, the state record too) is rebuilt and verifies clean', async () => {
      await runFullRestore(h.store, options());
      const everything = (await listAll(h.direct)).map((o) => o.key);
      expect(everything).to.include('_state/sync-state.json');
      await h.direct.deleteMany(everything);
      const run = await spawnGulp(['restore', '--src', join(REPO_ROOT, 'public'), '--dest', dest(), '--cache-dir', join(work, 'cache')], h.cliEnv(), 120_000);
      expect(run.status, run.output).to.equal(0);
      expect(run.output).to.match(/build: 11 sources — 11 built/);
      expect(run.output).to.match(/25 missing/);
      expect(run.output).to.match(/verify after repair: clean/);
      const keys = Object.keys(await h.contents());
      expect(keys).to.have.length(25);
      for (const key of keys) expect((await h.head(key))?.etag, key).to.equal(md5(await readFile(join(dest(), key))));
    });
  });
}
