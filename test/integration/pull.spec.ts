import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageManifest } from '../../lib/manifest/types';
import { runPull, type PullOptions } from '../../lib/restore/run-pull';
import { listFiles, readManifestOf, runBuild } from '../helpers/build';
import { spawnGulp } from '../helpers/cli';
import { TRIO } from '../helpers/fixtures';
import { makeTmpDir, removeTmp, useWorkspace, writeAt } from '../helpers/tmp';
import { SyncHarness } from '../support/sync-harness';
import { V1, V2 } from '../support/release-states';


async function folderContents(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of await listFiles(root)) out[rel] = await readFile(join(root, rel), 'utf8');
  return out;
}

describe('gulp restore --pull: a release downloaded into a folder, checked by SHA-256', () => {
  let h: SyncHarness;
  let dest = '';
  let v1 = '';
  const pull = (options: Partial<PullOptions> = {}) => runPull(h.store, { release: 'latest', dest, concurrency: 4, quiet: true, ...options });
  beforeEach(async () => {
    h = await SyncHarness.start();
    [v1 = ''] = await h.publish(V1, V2);
    dest = await makeTmpDir('pull');
  });
  afterEach(async () => {
    await h.close();
    await removeTmp(dest);
  });

  // Found by a new user: `gulp restore --pull --dry-run` downloaded everything and rewrote images.json.
  it('a dry run says what it would download and writes nothing; its real twin downloads exactly that', async () => {
    const dry = await pull({ dryRun: true });
    expect(dry).to.deep.include({ pulled: 3, kept: 0, failures: [], dryRun: true });
    expect(dry.bytes).to.equal(Object.values(V2).reduce((sum, text) => sum + Buffer.byteLength(text), 0));
    expect(await listFiles(dest, true)).to.deep.equal([]);
    const real = await pull();
    expect(real).to.deep.include({ pulled: dry.pulled, bytes: dry.bytes, failures: [] });
    expect(await folderContents(dest)).to.deep.equal(V2);
    expect((await pull({ dryRun: true })).kept).to.equal(3);
  });

  it('pulls the latest release and its image manifest; an older one comes back from the archive', async () => {
    const latest = await pull();
    expect(latest).to.deep.include({ pulled: 3, kept: 0, failures: [] });
    expect(await folderContents(dest)).to.deep.equal(V2);
    const manifest = JSON.parse(await readFile(join(dest, 'images.json'), 'utf8')) as ImageManifest;
    expect(Object.values(manifest.sources).flatMap((s) => s.variants.map((v) => v.key)).sort()).to.deep.equal(Object.keys(V2).sort());

    const older = await makeTmpDir('pull-v1');
    try {
      const outcome = await pull({ release: v1, dest: older });
      expect(outcome.failures).to.deep.equal([]);
      expect(await folderContents(older)).to.deep.equal(V1); // abba-medium v1 and bjork from the archive
      expect(outcome.manifest).to.deep.include({ status: 'written', sources: 2, dropped: [] });
    } finally {
      await removeTmp(older);
    }
  });

  // Found by the attacker's trial: a symlinked folder inside the pull folder took the pulled files elsewhere.
  it('writes nothing through a symlinked folder inside the pull folder, and names the objects it refused', async () => {
    const victim = await makeTmpDir('pull-victim');
    try {
      await symlink(victim, join(dest, 'album'));
      const outcome = await pull();
      expect(await listFiles(victim, true)).to.deep.equal([]);
      expect(outcome.failures.map((f) => f.key).sort()).to.deep.equal(Object.keys(V2).sort());
      expect(outcome.failures[0]?.reason).to.match(/is a link to /);
    } finally {
      await removeTmp(victim);
    }
  });

  it('a rerun keeps every file already there with the right hash and downloads nothing', async () => {
    await pull();
    h.proxy.reset();
    const again = await pull();
    expect(again).to.deep.include({ pulled: 0, kept: 3, failures: [] });
    expect(h.proxy.counts.get).to.equal(3); // the pointer, the release record, the manifest: no image
  });

  it('names an object whose bytes are nowhere, writes no file for it, pulls the rest and leaves its source out of images.json', async () => {
    await h.rotOnDisk('album/dido/dido-small.jpg'); // created in v2: no archived copy exists
    const outcome = await pull();
    expect(outcome.failures).to.have.length(1);
    expect(outcome.failures[0]).to.deep.include({ key: 'album/dido/dido-small.jpg' });
    expect(outcome.failures[0]?.reason).to.match(/no copy with SHA-256 [0-9a-f]{12}… in the bucket or its archive/);
    expect(await listFiles(dest, true)).to.deep.equal(['album/abba/abba-medium.jpg', 'album/abba/abba-small.jpg', 'images.json']);
    expect(outcome.manifest).to.deep.include({ status: 'written', sources: 1, dropped: ['album/dido/dido-hi-res.jpg'] });
  });

  // Trap 7 of [06/10]: a partly failed pull replaced a complete images.json with a smaller one.
  it('a partly failed pull never replaces the images.json already there with a smaller one', async () => {
    await pull();
    const whole = await readFile(join(dest, 'images.json'), 'utf8');
    await rm(join(dest, 'album/dido/dido-small.jpg'));
    await h.rotOnDisk('album/dido/dido-small.jpg');
    const outcome = await pull();
    expect(outcome.failures.map((f) => f.key)).to.deep.equal(['album/dido/dido-small.jpg']);
    expect(outcome.manifest).to.deep.include({ status: 'kept', sources: 2, dropped: ['album/dido/dido-hi-res.jpg'] });
    expect(await readFile(join(dest, 'images.json'), 'utf8')).to.equal(whole);
  });

  // From the new user's trial: `gulp restore --pull --dest public` replaced the original sources with renditions.
  it('from the command line: refuses to pull into the sources folder (or one inside it), writing nothing', async () => {
    const env = { S3_ENDPOINT: h.server.store.endpoint, R2_BUCKET_NAME: 'images', R2_ACCESS_KEY_ID: 'S3RVER', R2_SECRET_ACCESS_KEY: 'not-a-secret' };
    const src = join(dest, 'public');
    for (const into of [src, join(src, 'album')]) {
      const refused = await spawnGulp(['restore', '--pull', '--src', src, '--dest', into], env);
      expect(refused.status, refused.output).to.equal(1);
      expect(refused.output).to.match(/--dest .* (is the same folder as|is inside) --src .*: the pull writes renditions into --dest/);
    }
    expect(await listFiles(dest, true)).to.deep.equal([]);
  });

  it('from the command line: exits non-zero naming the object, and 0 once it can pull everything', async () => {
    const env = { S3_ENDPOINT: h.server.store.endpoint, R2_BUCKET_NAME: 'images', R2_ACCESS_KEY_ID: 'S3RVER', R2_SECRET_ACCESS_KEY: 'not-a-secret' };
    await h.rotOnDisk('album/dido/dido-small.jpg');
    const failed = await spawnGulp(['restore', '--pull', '--dest', dest], env);
    expect(failed.status, failed.output).to.not.equal(0);
    expect(failed.output).to.match(/album\/dido\/dido-small\.jpg: no copy with SHA-256/);
    expect(failed.output).to.match(/files already pulled are kept: a rerun fetches only the rest/);
    const older = await spawnGulp(['restore', '--pull', '--release', v1, '--dest', dest], env);
    expect(older.status, older.output).to.equal(0);
    expect(older.output).to.match(/pulled release .*: 2 downloaded .*, 1 already there, 0 failed/);
  });
});

describe('gulp restore --pull after losing dist/: the next build re-encodes nothing', () => {
  const ws = useWorkspace('pull-build');
  let h: SyncHarness;
  beforeEach(async () => { h = await SyncHarness.start(); });
  afterEach(async () => { await h.close(); });

  it('gives back byte-identical images and a manifest the build cache accepts', async () => {
    for (const source of Object.values(TRIO)) await writeAt(ws.current.src, source.rel, await source.make());
    expect(await runBuild(ws.current)).to.include({ built: 3, failed: 0 });
    const built = await listFiles(ws.current.dest);
    const bytes = await Promise.all(built.map((rel) => readFile(join(ws.current.dest, rel))));
    h.dist = ws.current.dest;
    expect((await h.sync()).release).to.not.equal(undefined);

    await rm(ws.current.dest, { recursive: true });
    await rm(ws.current.cache, { recursive: true, force: true });
    const outcome = await runPull(h.store, { release: 'latest', dest: ws.current.dest, concurrency: 4, quiet: true });
    expect(outcome).to.deep.include({ pulled: built.length, failures: [] });
    expect(existsSync(join(ws.current.dest, 'images.json'))).to.equal(true);

    const rebuilt = await runBuild(ws.current);
    expect(rebuilt).to.include({ sources: 3, built: 0, cached: 3, outputsWritten: 0, bytesIn: 0 });
    expect(await listFiles(ws.current.dest)).to.deep.equal(built);
    for (const [i, rel] of built.entries()) expect((await readFile(join(ws.current.dest, rel))).equals(bytes[i] as Buffer), rel).to.equal(true);
    expect(Object.keys((await readManifestOf(ws.current)).sources)).to.have.length(3);
  });
});
