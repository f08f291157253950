import { expect } from 'chai';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isReportOf, pruneReports, reportFileName } from '../../lib/util/prune-reports';
import { writeRunReport } from '../../lib/util/run-report';
import { makeTmpDir, removeTmp } from '../helpers/tmp';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);

describe('report pruning (lib/util/prune-reports)', () => {
  let dir: string;
  beforeEach(async () => { dir = await makeTmpDir('reports'); });
  afterEach(async () => { await removeTmp(dir); });

  async function writeReports(task: string, count: number): Promise<string[]> {
    const names = Array.from({ length: count }, (_, i) => reportFileName(task, at(i)));
    await Promise.all(names.map((name) => writeFile(join(dir, name), '{}\n')));
    return names;
  }

  it('recognises only the names writeRunReport gives, for that task only', async () => {
    const name = reportFileName('sync', at(3));
    expect(name).to.equal('sync-2026-01-01T00-03-00-000Z.json');
    expect(isReportOf('sync', name)).to.equal(true);
    expect(isReportOf('verify', name)).to.equal(false);
    for (const other of ['sync-notes.json', 'sync-2026-01-01T00-03-00-000Z.json.tmp', 'my-sync-2026-01-01T00-03-00-000Z.json',
      'sync-2026-01-01T00-03-00-000Z.md', 'sync-old-2026-01-01T00-03-00-000Z.json']) {
      expect(isReportOf('sync', other), other).to.equal(false);
    }
  });

  it('keeps the newest n reports of the task, deletes the older ones and returns their names', async () => {
    const names = await writeReports('sync', 7);
    const deleted = await pruneReports(dir, 'sync', 3);
    expect(deleted.sort()).to.deep.equal(names.slice(0, 4));
    expect((await readdir(dir)).sort()).to.deep.equal(names.slice(4));
  });

  it('leaves other tasks\' reports and every unrelated file alone', async () => {
    const syncs = await writeReports('sync', 4);
    const verifies = await writeReports('verify', 4);
    const unrelated = ['notes.md', 'sync-summary.json', 'sync-2020-01-01T00-00-00-000Z.json.1234.tmp', 'README'];
    await Promise.all(unrelated.map((name) => writeFile(join(dir, name), 'mine\n')));
    await pruneReports(dir, 'sync', 1);
    expect((await readdir(dir)).sort()).to.deep.equal([...syncs.slice(3), ...unrelated, ...verifies].sort());
    expect(await readFile(join(dir, 'notes.md'), 'utf8')).to.equal('mine\n');
  });

  it('deletes nothing while a task has at most n reports', async () => {
    const names = await writeReports('prune', 3);
    expect(await pruneReports(dir, 'prune', 3)).to.deep.equal([]);
    expect((await readdir(dir)).sort()).to.deep.equal(names);
  });

  it('a report run leaves at most 50 reports of its task, the one it wrote among them', async () => {
    await writeReports('verify', 60);
    await writeFile(join(dir, 'keep-me.txt'), 'x');
    const path = await writeRunReport('verify', { ok: true }, { dir, secrets: [], stepSummary: '' });
    const names = await readdir(dir);
    expect(names.filter((name) => isReportOf('verify', name))).to.have.length(50);
    expect(names).to.include('keep-me.txt');
    expect(names).to.include(String(path).slice(dir.length + 1));
  });
});
