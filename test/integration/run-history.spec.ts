import { expect } from 'chai';
import { spawnGulp } from '../helpers/cli';
import { makeTmpDir, removeTmp } from '../helpers/tmp';
import { requireCeph } from '../servers/ceph';
import { SyncHarness } from '../support/sync-harness';
import { bucketHistory, folderHistory } from '../../lib/history/history-place';
import { readHistory } from '../../lib/history/read-history';
import { keepPending } from '../../lib/history/record-run';
import { RunTracker } from '../../lib/history/run-tracker';
import { listAll } from '../../lib/storage/object-store';

const kinds = [['s3rver', async () => undefined], ['Ceph radosgw', requireCeph]] as const;

for (const [kind, require] of kinds) {
  describe(`run history on ${kind}`, function () {
    let h: SyncHarness;
    let reports: string;
    before(async function () { await require(this); });
    beforeEach(async () => {
      h = await SyncHarness.start(kind === 's3rver' ? 's3rver' : 'ceph');
      reports = await makeTmpDir('history-reports');
      await h.writeDist({ 'album/a/a-medium.jpg': 'a v1', 'album/b/b-medium.jpg': 'b v1' });
    });
    afterEach(async () => { await h?.close(); await removeTmp(reports); });
    const gulp = (args: string[]) => spawnGulp(args, { ...h.cliEnv('proxy'), REPORTS_DIR: reports }, 60_000);

    it('a changing sync records its run and rolls it into its month; a no-change sync spends one listing, one GET and one small PUT, carrying the waiting build record', async () => {
      const first = await gulp(['sync', '--dest', h.dist]);
      expect(first.status, first.output).to.equal(0);
      const afterFirst = await listAll(h.direct, { prefix: '_history/' });
      expect(afterFirst.map((o) => o.key)).to.deep.equal([`_history/months/${new Date().toISOString().slice(0, 7)}.json`]);

      const build = new RunTracker('build', null);
      build.note({ sources: { count: 2, bytes: 10, decoded: 0, cached: 2, restored: 0, failed: 0 } });
      await keepPending(folderHistory(`${reports}/history`), build.finish({ ok: true }, new Date(), false));
      h.proxy.reset();
      const second = await gulp(['sync', '--dest', h.dist]);
      expect(second.status, second.output).to.equal(0);
      expect(h.proxy.counts).to.deep.equal({ list: 1, head: 0, get: 1, put: 1, copy: 0, delete: 0, other: 0 });

      const { runs, skipped } = await readHistory(bucketHistory(h.direct));
      expect(skipped).to.deep.equal([]);
      expect(runs.map((r) => r.command)).to.deep.equal(['sync', 'build', 'sync']);
      const [changing, carried, quiet] = runs;
      expect(carried?.id).to.equal(build.id);
      expect(changing?.writes).to.deep.include({ attempted: 2, failed: 0, deleted: 0 });
      expect(changing?.objects).to.deep.include({ count: 2 });
      expect(changing?.release).to.be.a('string');
      expect(quiet?.requests).to.deep.include({ classA: 2, classB: 1, free: 0 });
      expect(quiet?.requests.byOperation).to.deep.equal({ GetObject: 1, ListObjectsV2: 1, PutObject: 1 });
      expect(quiet?.writes).to.deep.include({ attempted: 0, failed: 0 });
      expect(quiet?.environment).to.equal('development');
      expect(await folderHistory(`${reports}/history`).names('pending')).to.deep.equal([]);
    });

    it('gulp cost prices this month from the recorded requests and a listing of the bucket (images, archive and records apart)', async () => {
      await gulp(['sync', '--dest', h.dist]);
      await h.writeDist({ 'album/a/a-medium.jpg': 'a v2 is longer' });
      await gulp(['sync', '--dest', h.dist]);
      const run = await gulp(['cost', '--json', '--silent']);
      expect(run.status, run.output).to.equal(0);
      const model = JSON.parse(run.output.trim().split('\n').pop() ?? '{}');
      const { runs } = await readHistory(bucketHistory(h.direct));
      const month = new Date().toISOString().slice(0, 7);
      const thisMonth = runs.filter((r) => r.time.startsWith(month) && r.command !== 'cost');
      const classA = thisMonth.reduce((sum, r) => sum + r.requests.classA, 0);
      // The cost run counts itself (its listing and reads; not the PUT of its own record, made after it printed).
      const cost = runs.find((r) => r.command === 'cost');
      expect(model.thisMonth.operations.classA).to.equal(classA + (cost?.requests.classA ?? 0) - 1);
      expect(model.thisMonth.storage.images).to.be.closeTo((4 + 14) / 1e9, 1e-12);
      // The archive holds the overwritten v1 and the image manifests each release archived.
      expect(model.thisMonth.storage.archive).to.be.closeTo((cost?.storage?.archive.bytes ?? 0) / 1e9, 1e-12);
      expect(model.thisMonth.storage.records).to.be.greaterThan(0);
      expect(cost?.storage?.images).to.deep.equal({ count: 2, bytes: 18 });
      expect(cost?.storage?.archive.bytes).to.be.greaterThan(4);
      expect(model.cdnNote).to.match(/never reach the S3 API/);
    });

    it('a failed run whose error quotes a newline (a --dest given so) is recorded readably, never skipped later', async () => {
      const failed = await gulp(['sync', '--dest', `${h.dist}/no\nsuch`]);
      expect(failed.status).to.not.equal(0);
      const { runs, skipped } = await readHistory(bucketHistory(h.direct));
      expect(skipped).to.deep.equal([]);
      expect(runs.map((r) => [r.command, r.ok])).to.deep.equal([['sync', false]]);
      expect(runs[0]?.error?.message).to.not.match(/\n/);
    });

    it('a sync whose writes fail records the failure, and verify records its findings', async () => {
      await gulp(['sync', '--dest', h.dist]);
      await h.writeDist({ 'album/a/a-medium.jpg': 'a v2', 'album/b/b-medium.jpg': 'b v2' });
      h.proxy.faults.push({ op: 'put', key: /^album\//, action: 400, times: 10_000 });
      const failed = await gulp(['sync', '--dest', h.dist]);
      expect(failed.status).to.not.equal(0);
      const verify = await gulp(['verify', '--dest', h.dist]);
      expect(verify.status).to.not.equal(0);
      const { runs } = await readHistory(bucketHistory(h.direct));
      const [, bad, checked] = runs;
      expect(bad?.ok).to.equal(false);
      expect(bad?.error?.code).to.match(/^E_/);
      expect(bad?.writes?.failed).to.be.greaterThan(0);
      expect(checked?.command).to.equal('verify');
      expect(checked?.verify?.problems).to.equal(2);
      expect(checked?.verify?.examples.map((e) => e.key).sort()).to.deep.equal(['album/a/a-medium.jpg', 'album/b/b-medium.jpg']);
    });
  });
}
