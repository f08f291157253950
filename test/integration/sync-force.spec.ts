import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnGulp } from '../helpers/cli';
import { SyncHarness } from '../support/sync-harness';

const FILES = {
  'album/abba/abba-medium.jpg': 'abba medium',
  'album/abba/abba-small.jpg': 'abba small',
  'artist/cher/cher-small.jpg': 'cher small',
};
const archiveOf = (body: string) => `_archive/${createHash('sha256').update(body).digest('hex')}`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('gulp sync --force against s3rver', () => {
  let h: SyncHarness;
  beforeEach(async () => {
    h = await SyncHarness.start();
    await h.writeDist(FILES);
    await h.sync();
    h.proxy.reset();
  });
  afterEach(async () => { await h.close(); });

  async function lastModified(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const key of Object.keys(FILES)) out[key] = (await h.head(key))?.lastModified.getTime() ?? 0;
    return out;
  }

  it('a dry run plans an archived update of every object the bucket already holds, and changes nothing', async () => {
    const before = await lastModified();
    const dry = await h.sync({ force: true, dryRun: true });
    expect(dry.plan.actions.filter((a) => a.kind === 'update').map((a) => a.key)).to.deep.equal(Object.keys(FILES));
    expect(dry.plan.actions.filter((a) => a.kind === 'archive')).to.have.length(3);
    expect(dry.totals.keep).to.equal(0);
    expect(h.proxy.counts.put + h.proxy.counts.copy + h.proxy.counts.delete).to.equal(0);
    expect(await lastModified()).to.deep.equal(before);
    for (const body of Object.values(FILES)) expect(await h.head(archiveOf(body)), body).to.equal(null);
  });

  it('its real twin re-writes every object, archiving the bytes it overwrites first, and the latest release describes the bucket', async () => {
    const before = await lastModified();
    await pause(1100); // stores date objects to the second
    const real = await h.sync({ force: true });
    expect(real.result?.failures).to.deep.equal([]);
    expect(real.result?.completed).to.deep.include({ archive: 3, update: 3 });
    expect(h.proxy.counts.put).to.be.at.least(3);
    const after = await lastModified();
    for (const key of Object.keys(FILES)) expect(after[key], key).to.be.greaterThan(before[key] as number);
    for (const body of Object.values(FILES)) expect(await h.text(archiveOf(body)), body).to.equal(body);
    expect(await h.contents()).to.deep.equal(FILES);
    expect(real.describedBy).to.be.a('string');
    const next = await h.sync();
    expect(next.plan.actions, 'the forced run left a bucket the next sync finds in order').to.deep.equal([]);
    expect(next.describedBy).to.equal(real.describedBy);
  });

  it('from the command line, with the manual targets russ.fm writes, re-sends only those folders', async () => {
    const list = join(h.dist, 'changed_files.txt');
    await writeFile(list, 'public/album/abba/manual\n');
    const run = await spawnGulp(['sync', '--dest', h.dist, '--changed-files', list, '--force', '--json', '--silent'], h.cliEnv());
    expect(run.status, run.output).to.equal(0);
    const report = JSON.parse(run.output.trim().split('\n').pop() ?? '{}') as { completed: Record<string, number>; actions: Record<string, string[]> };
    expect(report.completed).to.deep.include({ update: 2, archive: 2 });
    expect(report.actions.update).to.deep.equal(['album/abba/abba-medium.jpg', 'album/abba/abba-small.jpg']);
    expect(await h.head(archiveOf('cher small'))).to.equal(null);
  });
});
