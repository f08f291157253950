import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../lib/manifest/io';
import { runPull } from '../../lib/restore/run-pull';
import { listFiles, runBuild } from '../helpers/build';
import { spawnGulp } from '../helpers/cli';
import { TRIO } from '../helpers/fixtures';
import { mountTinyDisk, type TinyDisk } from '../helpers/tiny-disk';
import { useWorkspace, writeAt, type Workspace } from '../helpers/tmp';
import { SyncHarness } from '../support/sync-harness';

// Finding 6 of [05/10]: a build on a full disk stopped with a bare "Error: ENOSPC" and left 0-byte outputs;
// a pull on a full disk left images.json.<pid>.tmp behind.
describe('a full disk', function () {
  this.timeout(120_000);
  const workspace = useWorkspace('disk-full');
  let disk: TinyDisk;
  let ws: Workspace;
  beforeEach(async function () {
    disk = await mountTinyDisk(this, 120);
    ws = workspace.current;
    for (const source of Object.values(TRIO)) await writeAt(ws.src, source.rel, await source.make());
  });
  afterEach(async () => { await disk?.close(); });

  /** Every output the clean build made, by relative path. */
  async function cleanOutputs(): Promise<Map<string, Buffer>> {
    await runBuild(ws);
    return new Map(await Promise.all((await listFiles(ws.dest)).map(async (rel) => [rel, await readFile(join(ws.dest, rel))] as const)));
  }

  it('stops the build naming the file and the reason; leaves no cut-short or temporary file; the next build trusts nothing half-made', async () => {
    const clean = await cleanOutputs();
    const dest = join(disk.dir, 'dist');
    const error = await runBuild(ws, { dest, cacheDir: join(ws.root, 'cache2') }).then(() => undefined, (e: unknown) => e as Error & { hint?: string });
    expect(error?.message).to.match(new RegExp(`^cannot write ${disk.dir}/dist/(album|artist)/.+\\.jpg: the disk is full \\(ENOSPC\\)$`));
    expect(error?.hint).to.match(/outputs are written whole or not at all/);
    const left = await listFiles(dest, true);
    expect(left.filter((rel) => rel.endsWith('.tmp'))).to.deep.equal([]);
    expect(left).to.not.include('images.json');
    for (const rel of left) expect((await readFile(join(dest, rel))).equals(clean.get(rel) as Buffer), rel).to.equal(true);

    await disk.resize(20_000);
    const again = await runBuild(ws, { dest, cacheDir: join(ws.root, 'cache2') });
    expect(again.failed).to.equal(0);
    expect(await listFiles(dest)).to.deep.equal([...clean.keys()].sort());
    for (const [rel, bytes] of clean) expect((await readFile(join(dest, rel))).equals(bytes), rel).to.equal(true);
  });

  it('gulp build on a full disk exits non-zero with one clear line, not a bare ENOSPC', async () => {
    const run = await spawnGulp(['build', '--src', ws.src, '--dest', join(disk.dir, 'dist'), '--cache-dir', join(ws.root, 'cache3')], {}, 60_000);
    expect(run.status).to.not.equal(0);
    expect(run.output).to.match(/cannot write .+\.jpg: the disk is full \(ENOSPC\)\n\s+→ free space/);
    expect(run.output).to.not.match(/^Error: ENOSPC/m);
  });

  it('a pull stops at the first file it cannot write, names it, leaves no temporary file, and finishes once there is room', async () => {
    const h = await SyncHarness.start();
    try {
      await runBuild(ws);
      h.dist = ws.dest;
      await h.sync();
      const dest = join(disk.dir, 'pulled');
      const stopped = await runPull(h.store, { release: 'latest', dest, concurrency: 2, quiet: true });
      expect(stopped.failures.length).to.be.greaterThan(0);
      expect(stopped.failures[0]?.reason).to.match(/^cannot write .+: the disk is full \(ENOSPC\)$/);
      expect(stopped.manifest.status).to.equal('failed');
      expect((await listFiles(dest, true)).filter((rel) => rel.includes('.tmp'))).to.deep.equal([]);
      await disk.resize(20_000);
      const finished = await runPull(h.store, { release: 'latest', dest, concurrency: 2, quiet: true });
      expect(finished.failures).to.deep.equal([]);
      expect(finished.kept).to.equal(stopped.pulled);
      expect(finished.manifest.status).to.equal('written');
    } finally {
      await h.close();
    }
  });

  it('the manifest write cleans up its temporary file when the disk is full', async () => {
    const big = { filler: 'x'.repeat(200_000) };
    const error = await writeJsonAtomic(join(disk.dir, 'images.json'), big).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.equal(`cannot write ${join(disk.dir, 'images.json')}: the disk is full (ENOSPC)`);
    expect(await listFiles(disk.dir, true)).to.deep.equal([]);
  });
});
