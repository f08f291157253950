import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readLatest, readRelease, releaseIds } from '../../lib/releases/release-store';
import { CLEAN_ENV, spawnGulp } from '../helpers/cli';
import { GULP_BIN, REPO_ROOT } from '../helpers/paths';
import { CACHE, SERVERS, SyncHarness, usePublished } from '../support/sync-harness';

// 42 objects in v1; v2 changes 40 of them, deletes 2 and adds 2. A rollback to v1: 42 archive copies,
// 42 copies back from the archive (40 changed + 2 deleted), 2 deletes.
const V1: Record<string, string> = {};
const V2: Record<string, string> = {};
for (let i = 0; i < 42; i += 1) {
  const key = `album/k${i}/k${i}-small.jpg`;
  V1[key] = `cover ${i} v1 `.repeat(40 + i);
  if (i < 40) V2[key] = `cover ${i} v2 `.repeat(30 + i);
}
V2['album/n0/n0-small.jpg'] = 'new in v2, 0';
V2['album/n1/n1-small.jpg'] = 'new in v2, 1';
const COPIES_BACK = 42;
const ARCHIVE_COPIES = 42;
const MAX_DELETE = ['--max-delete', '100,100%'];

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
/** Keys of v1 whose bytes are not (yet) v1's. */
const notYetV1 = (contents: Record<string, string>) => Object.keys(V1).filter((key) => contents[key] !== V1[key]);

/** The bucket is v1 byte for byte, with v1's ETags and headers. */
async function expectV1(h: SyncHarness): Promise<void> {
  expect(await h.contents()).to.deep.equal(V1);
  for (const key of Object.keys(V1)) {
    const head = await h.head(key);
    expect(head?.etag, key).to.equal(md5(V1[key] as string));
    expect(head, key).to.deep.include({ contentType: 'image/jpeg', cacheControl: CACHE });
  }
}

/** One new release, the completed rollback's: a restore of v1 whose parent is v2, and the latest. */
async function expectOneRestoreRelease(h: SyncHarness, v1: string, v2: string): Promise<void> {
  const ids = await releaseIds(h.direct);
  expect(ids.slice(1)).to.deep.equal([v2, v1]);
  const restore = await readRelease(h.direct, ids[0] as string);
  expect(restore).to.deep.include({ reason: 'restore', restoredFrom: v1, parent: v2 });
  expect(Object.keys(restore.objects).sort()).to.deep.equal(Object.keys(V1).sort());
  expect((await readLatest(h.direct)).pointer?.id).to.equal(restore.id);
}

for (const server of SERVERS) {
  describe(`a restore killed half-way and rerun converges, against ${server}`, function () {
    this.timeout(120_000);
    const published = usePublished(server, V1, V2);
    let h: SyncHarness;
    let v1 = '';
    let v2 = '';
    beforeEach(async () => { ({ h, ids: [v1 = '', v2 = ''] } = published); });

    it('a store failing after 10 copies back stops the rollback (no deletes, no release); a rerun does only the rest; then nothing to do', async () => {
      h.proxy.faults.push({ op: 'copy', key: /^album\//, action: 500, skip: 10, times: 10_000 });
      const failed = await h.rollback(v1);
      expect(failed.result?.failures.length).to.be.greaterThan(0);
      expect(failed.result?.stopped).to.be.a('string');
      expect(failed.result?.completed).to.deep.include({ archive: ARCHIVE_COPIES, restore: 10, delete: 0 });
      expect(failed.release).to.equal(undefined);
      expect(await releaseIds(h.direct)).to.deep.equal([v2, v1]);
      expect((await readLatest(h.direct)).pointer?.id).to.equal(v2);
      const partial = await h.contents();
      expect(notYetV1(partial)).to.have.length(COPIES_BACK - 10);
      expect(partial).to.include.keys('album/n0/n0-small.jpg', 'album/n1/n1-small.jpg'); // deletes run only after every write

      h.proxy.reset();
      const rerun = await h.rollback(v1);
      expect(rerun.result?.failures).to.deep.equal([]);
      expect(rerun.plan.actions.filter((a) => a.kind !== 'delete').map((a) => a.key).sort()).to.deep.equal(notYetV1(partial).sort());
      expect(h.proxy.counts.copy).to.equal(COPIES_BACK - 10); // nothing archived again, nothing copied twice
      expect(rerun.result?.deleted.sort()).to.deep.equal(['album/n0/n0-small.jpg', 'album/n1/n1-small.jpg']);
      await expectV1(h);
      await expectOneRestoreRelease(h, v1, v2);

      h.proxy.reset();
      const third = await h.rollback(v1);
      expect(third.plan.actions).to.deep.equal([]);
      expect(third.release).to.equal(undefined);
      expect(h.proxy.counts).to.deep.include({ copy: 0, put: 0, delete: 0 });
      await expectOneRestoreRelease(h, v1, v2);
    });

    it('a run stopped after its last copy but before recording the release records it on the rerun, copying nothing', async () => {
      h.proxy.faults.push({ op: 'put', key: /^_releases\//, action: 500, times: 10_000 }); // the release record cannot be written
      const failed = await h.rollback(v1).catch((error: unknown) => error);
      expect(failed).to.be.an('error');
      await expectV1(h); // every copy and delete landed
      expect((await readLatest(h.direct)).pointer?.id).to.equal(v2);

      h.proxy.faults.length = 0;
      h.proxy.reset();
      const rerun = await h.rollback(v1);
      expect(rerun.plan.actions).to.deep.equal([]);
      expect(rerun.unrecorded).to.equal(true);
      expect(h.proxy.counts).to.deep.include({ copy: 0, delete: 1 }); // the one delete gives the writer lock back
      await expectOneRestoreRelease(h, v1, v2);
    });

    it('`gulp restore --release <v1> --yes` killed with SIGKILL while copying back, then run again, leaves the bucket exactly v1', async () => {
      const env = { ...CLEAN_ENV, ...h.cliEnv('proxy') };
      h.proxy.delayMs = 30;
      const child = spawn(GULP_BIN, ['restore', '--release', v1, '--yes', '--concurrency', '2', ...MAX_DELETE],
        { cwd: REPO_ROOT, env, stdio: 'ignore', timeout: 60_000, killSignal: 'SIGKILL' });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      while (h.proxy.counts.copy < ARCHIVE_COPIES + 10) {
        if (child.exitCode !== null) throw new Error(`gulp restore exited (${child.exitCode}) before it was killed`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      child.kill('SIGKILL');
      await exited;
      await new Promise((resolve) => setTimeout(resolve, 300)); // copies already forwarded by the proxy land
      h.proxy.delayMs = 0;

      const partial = await h.contents();
      const left = notYetV1(partial);
      expect(left.length).to.be.within(1, COPIES_BACK - 1); // copies still held by the proxy died with the client
      for (const [key, body] of Object.entries(partial)) expect([V1[key], V2[key]], key).to.include(body); // no object half-copied
      expect(await releaseIds(h.direct)).to.deep.equal([v2, v1]);

      h.proxy.reset();
      const rerun = await spawnGulp(['restore', '--release', v1, '--yes', ...MAX_DELETE], h.cliEnv('proxy'));
      expect(rerun.status, rerun.output).to.equal(0);
      expect(rerun.output).to.match(new RegExp(`${left.length} copied back from the archive, 0 re-headered, 2 deleted, 0 archived first`));
      expect(rerun.output).to.match(/recorded as release/);
      expect(h.proxy.counts.copy).to.equal(left.length);
      await expectV1(h);
      await expectOneRestoreRelease(h, v1, v2);

      const again = await spawnGulp(['restore', '--release', v1, '--yes', ...MAX_DELETE], h.cliEnv());
      expect(again.status, again.output).to.equal(0);
      expect(again.output).to.match(/already matches release .*: nothing to do/);
      await expectOneRestoreRelease(h, v1, v2);
    });
  });
}
