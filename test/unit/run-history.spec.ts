import { expect } from 'chai';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTmpDir, removeTmp } from '../helpers/tmp';
import { folderHistory } from '../../lib/history/history-place';
import { readHistory } from '../../lib/history/read-history';
import { keepPending, MAX_PENDING, recordRun } from '../../lib/history/record-run';
import { mergeMonth, rollUpHistory } from '../../lib/history/roll-up';
import { parseHistoryBatch } from '../../lib/history/run-record-schema';
import { RunTracker } from '../../lib/history/run-tracker';
import type { RunRecord } from '../../lib/history/types';
import { r2ClassOf, RequestMeter } from '../../lib/storage/request-meter';
import { costModel } from '../../lib/cost/cost-model';
import { DeadlineError, within } from '../../lib/util/within';

function run(time: string, command: RunRecord['command'] = 'sync', classA = 1): RunRecord {
  const tracker = new RunTracker(command, command === 'build' ? null : 'production', new Date(time));
  for (let i = 0; i < classA; i += 1) tracker.meter.count('ListObjectsV2');
  return tracker.finish({ ok: true }, new Date(Date.parse(time) + 1000), false);
}

describe('run history', () => {
  let dir: string;
  beforeEach(async () => { dir = await makeTmpDir('history'); });
  afterEach(async () => { await removeTmp(dir); });

  it('counts requests by R2 class: lists and writes are class A, reads and HEADs class B, deletes free', async () => {
    expect(['ListObjectsV2', 'PutObject', 'CopyObjectCommand', 'UploadPart'].map(r2ClassOf)).to.deep.equal(['classA', 'classA', 'classA', 'classA']);
    expect(['GetObject', 'HeadObject', 'GetBucketCors'].map(r2ClassOf)).to.deep.equal(['classB', 'classB', 'classB']);
    expect(['DeleteObjects', 'DeleteObject', 'AbortMultipartUpload'].map(r2ClassOf)).to.deep.equal(['free', 'free', 'free']);
    const meter = new RequestMeter();
    ['GetObjectCommand', 'GetObject', 'PutObjectCommand'].forEach(meter.count);
    expect(meter.figures()).to.deep.equal({ classA: 1, classB: 2, free: 0, byOperation: { GetObject: 2, PutObject: 1 } });
  });

  it('a record counts the PUT that carries it and prices its requests at R2 list price', async () => {
    const tracker = new RunTracker('verify', 'production');
    tracker.meter.count('ListObjectsV2');
    tracker.meter.count('GetObject');
    const record = tracker.finish({ ok: true });
    expect(record.requests).to.deep.include({ classA: 2, classB: 1 });
    expect(record.costUsd).to.be.closeTo(2 * 4.5e-6 + 0.36e-6, 1e-12);
    expect(record.id).to.match(/^\d{8}T\d{6}\.\d{3}Z-verify-[0-9a-f]{8}$/);
  });

  it('a run carries the waiting build records up and removes them only once it is written', async () => {
    const place = folderHistory(join(dir, 'remote'));
    const local = folderHistory(join(dir, 'local'));
    await keepPending(local, run('2026-12-01T10:00:00.000Z', 'build'));
    await keepPending(local, run('2026-12-01T11:00:00.000Z', 'build'));
    const sync = run('2026-12-01T12:00:00.000Z');
    expect((await recordRun(place, sync, local)).carried).to.equal(2);
    expect(await local.names('pending')).to.deep.equal([]);
    expect((await readHistory(place)).runs.map((r) => r.command)).to.deep.equal(['build', 'build', 'sync']);
    await expectRejection(recordRun(place, sync, local), /already there/);
  });

  it('keeps at most MAX_PENDING builds waiting: the oldest go', async () => {
    const local = folderHistory(dir);
    for (let i = 0; i < MAX_PENDING + 3; i += 1) await keepPending(local, run(new Date(Date.UTC(2026, 11, 1, 0, i)).toISOString(), 'build'));
    const names = (await local.names('pending')).sort();
    expect(names).to.have.length(MAX_PENDING);
    expect(names[0]).to.match(/^20261201T000300/);
  });

  it('rolls batches into months, deletes them once their months are written, expires old months and keeps a month bounded', async () => {
    const place = folderHistory(dir);
    const runs = [run('2024-01-05T00:00:00.000Z'), run('2026-11-30T23:59:59.000Z'), run('2026-12-01T00:00:00.000Z'), run('2026-12-02T00:00:00.000Z')];
    for (const r of runs) await recordRun(place, r);
    await place.write('months', 'not-a-month.json', {});
    const result = await rollUpHistory(place, new Date('2026-12-03T00:00:00Z'), { keepMonths: 24, maxRunsPerMonth: 1 });
    expect(result.months).to.deep.equal(['2026-11', '2026-12']);
    expect(result.batches).to.equal(4);
    expect(await place.names('runs')).to.deep.equal([]);
    expect((await place.names('months')).sort()).to.deep.equal(['2026-11.json', '2026-12.json', 'not-a-month.json']);
    const history = await readHistory(place);
    expect(history.runs.map((r) => r.time)).to.deep.equal(['2026-11-30T23:59:59.000Z', '2026-12-02T00:00:00.000Z']);
    expect(history.skipped).to.have.length(1);
    expect(history.skipped[0]).to.match(/not-a-month\.json: version is missing|not-a-month\.json: .*version/);
    const december = JSON.parse((await place.read('months', '2026-12.json'))?.text ?? '{}');
    expect(december.dropped).to.deep.equal({ runs: 1, requests: { classA: 1, classB: 0, free: 0 }, costUsd: runs[2]?.costUsd });
  });

  it('a month another run replaced meanwhile is not overwritten: its batches wait for the next roll-up', async () => {
    const place = folderHistory(dir);
    await recordRun(place, run('2026-12-01T00:00:00.000Z'));
    const racing = {
      ...place,
      read: async (area: Parameters<typeof place.read>[0], name: string) => {
        const found = await place.read(area, name);
        if (area === 'months') await place.write('months', name, mergeMonth('2026-12', undefined, [run('2026-12-01T05:00:00.000Z')], 10));
        return found;
      },
    };
    const result = await rollUpHistory(racing, new Date('2026-12-03T00:00:00Z'));
    expect(result.conflicts).to.deep.equal(['2026-12']);
    expect(await place.names('runs')).to.have.length(1);
    expect((await rollUpHistory(place, new Date('2026-12-03T00:00:00Z'))).batches).to.equal(1);
    expect((await readHistory(place)).runs).to.have.length(2);
  });

  it('a hostile batch is named and skipped, never trusted or deleted', async () => {
    const place = folderHistory(dir);
    await mkdir(join(dir, 'runs'), { recursive: true });
    const good = run('2026-12-01T00:00:00.000Z');
    await writeFile(join(dir, 'runs', 'evil.json'), JSON.stringify({ version: 1, runs: [{ ...good, requests: { ...good.requests, classA: -5 } }] }));
    await writeFile(join(dir, 'runs', 'junk.json'), '{"version":1,"runs":[{"id":"../../etc/passwd"}]}');
    await recordRun(place, good);
    const history = await readHistory(place);
    expect(history.runs.map((r) => r.id)).to.deep.equal([good.id]);
    expect(history.skipped.join('\n')).to.match(/evil\.json: runs\.0\.requests\.classA is negative/).and.match(/junk\.json: runs\.0\.id is not a run id/);
    await rollUpHistory(place, new Date('2026-12-03T00:00:00Z'));
    expect((await readdir(join(dir, 'runs'))).sort()).to.deep.equal(['evil.json', 'junk.json']);
    expect(() => parseHistoryBatch('[]', 'x')).to.throw(/x: is not a run history batch/);
  });
});

describe('run history against hostile input (from the attacker trial)', () => {
  let dir: string;
  beforeEach(async () => { dir = await makeTmpDir('history-hostile'); });
  afterEach(async () => { await removeTmp(dir); });

  it('names a hostile object printably: a newline in its name cannot start a GitHub workflow command', async () => {
    await mkdir(join(dir, 'runs'), { recursive: true });
    await writeFile(join(dir, 'runs', 'x\n::error title=pwned::injected\n.json'), 'junk');
    const { skipped } = await readHistory(folderHistory(dir));
    expect(skipped).to.have.length(1);
    expect(skipped[0]).to.not.match(/[\n\r]/);
  });

  it('refuses run times the tool never writes (year 0, offsets, impossible dates) and a month holding another month\'s run', async () => {
    const place = folderHistory(dir);
    const good = run('2026-12-01T00:00:00.000Z');
    for (const time of ['0000-01-01T00:00:00.000Z', '2026-12-31T23:30:00.000-05:00', '2026-02-31T00:00:00.000Z']) {
      expect(() => parseHistoryBatch(JSON.stringify({ version: 1, runs: [{ ...good, time }] }), 'b')).to.throw(/time is not/);
    }
    await place.write('months', '2026-11.json', mergeMonth('2026-11', undefined, [good], 10));
    const { runs, skipped } = await readHistory(place);
    expect(runs).to.deep.equal([]);
    expect(skipped.join()).to.match(/2026-11\.json: holds run .* of another month/);
  });

  it('a folder of waiting builds that cannot be read never costs the run its own record', async () => {
    await writeFile(join(dir, 'not-a-folder'), 'a file where the history folder should be');
    const place = folderHistory(join(dir, 'remote'));
    const recorded = await recordRun(place, run('2026-12-01T00:00:00.000Z'), folderHistory(join(dir, 'not-a-folder')));
    expect(recorded.carried).to.equal(0);
    expect(recorded.skipped.join()).to.match(/the builds waiting in .*not-a-folder\/pending\/ \(.*ENOTDIR/);
    expect((await readHistory(place)).runs).to.have.length(1);
  });

  it('the runs a month folded into totals still count in the cost model', async () => {
    const place = folderHistory(dir);
    for (let i = 0; i < 5; i += 1) await recordRun(place, run(`2026-11-0${i + 1}T00:00:00.000Z`, 'sync', 10));
    await rollUpHistory(place, new Date('2026-12-03T00:00:00Z'), { keepMonths: 24, maxRunsPerMonth: 2 });
    const read = await readHistory(place);
    expect(read.runs).to.have.length(2);
    expect(read.dropped.get('2026-11')).to.deep.include({ runs: 3 });
    const model = costModel({ runs: read.runs, dropped: read.dropped, environment: 'production', now: new Date('2026-12-03T00:00:00Z') });
    expect(model.lastMonth.operations.classA).to.equal(50);
  });

  it('a history read or write that stalls ends at its deadline with a typed error', async () => {
    const error = await within(50, 'writing the run history', new Promise(() => undefined)).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DeadlineError);
    expect((error as DeadlineError).message).to.match(/writing the run history took longer than 0 s/);
  });
});

async function expectRejection(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(String((error as Error | undefined)?.message)).to.match(pattern);
}
