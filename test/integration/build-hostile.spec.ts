import { expect } from 'chai';
import { mkdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ImageManifest, ManifestSource } from '../../lib/manifest/types';
import { BadRecordError } from '../../lib/validate/records';
import { listFiles, readManifestOf, runBuild } from '../helpers/build';
import { photoJpeg } from '../helpers/fixtures';
import { albumSource } from '../helpers/paths';
import { snapshot } from '../helpers/snapshot';
import { useWorkspace, writeAt, type Workspace } from '../helpers/tmp';

/** Everything in the workspace but dist/ and the cache: what a build must never change. */
const outside = (ws: Workspace) => snapshot(ws.root, [ws.dest, ws.cache]);

describe('gulp build: hostile input stays inside --dest', () => {
  const ws = useWorkspace('hostile');

  it('refuses a dist/images.json naming ../ keys, naming the file, and deletes nothing outside dist', async () => {
    await writeAt(ws.current.src, albumSource('a'), await photoJpeg(300, 300));
    await runBuild(ws.current);
    await writeAt(ws.current.root, 'victim.txt', 'precious');
    const manifest = JSON.parse(await readFile(join(ws.current.dest, 'images.json'), 'utf8')) as ImageManifest;
    const entry = manifest.sources[albumSource('a')] as ImageManifest['sources'][string];
    // Stale (no source any more) and pointing out of dist: before the fix the next build unlinked both.
    (manifest.sources as Record<string, ManifestSource>)['album/gone/gone-hi-res.jpg'] = { ...entry, variants: [
      { ...entry.variants[0]!, key: '../victim.txt' },
      { ...entry.variants[0]!, key: `../public/${albumSource('a')}` },
    ] };
    await writeFile(join(ws.current.dest, 'images.json'), JSON.stringify(manifest));
    const before = outside(ws.current);
    let error: unknown;
    await runBuild(ws.current).catch((e: unknown) => { error = e; });
    expect(error).to.be.instanceOf(BadRecordError);
    expect((error as BadRecordError).message).to.contain(join(ws.current.dest, 'images.json')).and.match(/\.\. segment/);
    expect((error as BadRecordError).hint).to.contain('--no-cache');
    expect(outside(ws.current)).to.deep.equal(before);
  });

  // Found by the attacker's trial: pathUnder compared paths as text, so a symlinked dist/album took the
  // build's writes and its stale-output deletes into the folder it pointed at.
  it('writes and deletes nothing through a symlinked folder inside dist', async () => {
    const victim = join(ws.current.root, 'victim');
    await writeAt(victim, 'a/precious.txt', 'precious');
    await mkdir(ws.current.dest, { recursive: true });
    await symlink(victim, join(ws.current.dest, 'album'));
    await writeAt(ws.current.src, albumSource('a'), await photoJpeg(300, 300));
    const before = outside(ws.current);
    const summary = await runBuild(ws.current).catch((e: unknown) => e as Error);
    expect(outside(ws.current)).to.deep.equal(before);
    const failures = 'failures' in summary ? summary.failures.map((f) => f.reason).join('\n') : summary.message;
    expect(failures).to.match(/is a link to .*victim/);
  });

  it('ignores ..\\..\\..\\tmp\\x\\ESCAPED-hi-res.jpg (not a source name), refuses a source-named backslash slug, builds the rest, writes nothing outside dist', async () => {
    const evil = 'album/evil/..\\..\\..\\tmp\\x\\ESCAPED-hi-res.jpg';
    const slashed = 'album/a\\..\\b/a\\..\\b-hi-res.jpg';
    await writeAt(ws.current.src, evil, await photoJpeg(300, 300));
    await writeAt(ws.current.src, slashed, await photoJpeg(300, 300));
    await writeAt(ws.current.src, albumSource('good'), await photoJpeg(300, 300));
    const before = outside(ws.current);
    const summary = await runBuild(ws.current);
    expect(outside(ws.current)).to.deep.equal(before);
    expect(summary).to.include({ built: 1, failed: 1 });
    expect(summary.ignored.examples).to.deep.equal([evil]);
    expect(summary.failures[0]?.file).to.equal(slashed);
    expect(summary.failures[0]?.reason).to.match(/backslash/);
    expect(Object.keys((await readManifestOf(ws.current)).sources)).to.deep.equal([albumSource('good')]);
    expect((await listFiles(ws.current.dest)).every((f) => f.startsWith('album/good/')), 'only the good outputs').to.equal(true);
  });

  it('does not let ..\\victim\\victim-hi-res.jpg build over the real album/victim outputs', async () => {
    const real = await photoJpeg(300, 300);
    await writeAt(ws.current.src, albumSource('victim'), real);
    await writeAt(ws.current.src, 'album/evil/..\\victim\\victim-hi-res.jpg', await photoJpeg(310, 310));
    const summary = await runBuild(ws.current);
    expect(summary).to.include({ built: 1, failed: 0 });
    expect(summary.ignored.examples).to.deep.equal(['album/evil/..\\victim\\victim-hi-res.jpg']);
    const manifest = await readManifestOf(ws.current);
    expect(Object.keys(manifest.sources)).to.deep.equal([albumSource('victim')]);
    expect(manifest.sources[albumSource('victim')]?.width).to.equal(300);
  });

  it('refuses a symlinked source bigger than the pixel limit can need by its size, without reading it', async function () {
    this.timeout(20_000);
    const big = join(ws.current.root, 'huge.bin');
    await writeFile(big, '');
    await truncate(big, 1.5e9); // sparse: instant, no disk used
    const link = join(ws.current.src, albumSource('huge'));
    await writeAt(ws.current.src, albumSource('ok'), await photoJpeg(300, 300));
    await mkdir(dirname(link), { recursive: true });
    await symlink(big, link);
    const rss = process.resourceUsage().maxRSS * 1024;
    const started = Date.now();
    const summary = await runBuild(ws.current);
    expect(Date.now() - started).to.be.below(5000);
    expect(process.resourceUsage().maxRSS * 1024 - rss, 'peak RSS growth').to.be.below(300e6);
    expect(summary).to.include({ built: 1, failed: 1 });
    expect(summary.failures[0]?.file).to.equal(albumSource('huge'));
    expect(summary.failures[0]?.reason).to.match(/1\.5 GB/).and.match(/not read/);
  });

  it('reports a source that is a symlink to nothing, or to a device, instead of skipping it silently', async () => {
    await writeAt(ws.current.src, albumSource('ok'), await photoJpeg(300, 300));
    for (const slug of ['dangling', 'zero']) await mkdir(join(ws.current.src, 'album', slug), { recursive: true });
    await symlink(join(ws.current.root, 'missing.jpg'), join(ws.current.src, albumSource('dangling')));
    await symlink('/dev/zero', join(ws.current.src, albumSource('zero')));
    const summary = await runBuild(ws.current);
    expect(summary.failures.map((f) => f.file).sort()).to.deep.equal([albumSource('dangling'), albumSource('zero')]);
    expect(summary.failures.map((f) => f.reason).join('\n')).to.match(/symlink to nothing/).and.match(/not a regular file/);
  });

  // From the new-user trial: a folder named like a source counted as the source removed; its outputs left the
  // manifest, and `sync --delete` would have deleted them from the bucket.
  it('a folder named like a source fails, named, and keeps the source\'s outputs; a failed source is not counted removed', async () => {
    for (const slug of ['ok', 'folder']) await writeAt(ws.current.src, albumSource(slug), await photoJpeg(300, 300));
    expect(await runBuild(ws.current)).to.include({ built: 2, failed: 0 });
    const kept = (await listFiles(ws.current.dest)).filter((f) => f.startsWith('album/folder/'));
    const source = join(ws.current.src, albumSource('folder'));
    await import('node:fs/promises').then((fs) => fs.rm(source));
    await mkdir(source);
    const summary = await runBuild(ws.current);
    expect(summary).to.include({ failed: 1, removed: 0, outputsRemoved: 0 });
    expect(summary.failures[0]).to.deep.include({ file: albumSource('folder'), reason: 'refused: a folder, not an image file' });
    expect((await listFiles(ws.current.dest)).filter((f) => f.startsWith('album/folder/'))).to.deep.equal(kept);
    expect(Object.keys((await readManifestOf(ws.current)).sources)).to.include(albumSource('folder'));
  });

  it('refuses a name too long to leave room for the size in its output names, and still builds the rest', async () => {
    // 254 bytes is a legal file name; `<243 x>-medium.jpg.<pid>-<n>.tmp` is not: the write failed and stopped the whole build.
    const slug = 'x'.repeat(243);
    await writeAt(ws.current.src, albumSource(slug), await photoJpeg(300, 300));
    await writeAt(ws.current.src, albumSource('ok'), await photoJpeg(300, 300));
    const summary = await runBuild(ws.current);
    expect(summary).to.include({ built: 1, failed: 1 });
    expect(summary.failures[0]?.reason).to.match(/243 bytes long/);
    expect((await listFiles(ws.current.dest)).filter((f) => f.startsWith(`album/${slug}/`))).to.deep.equal([]);
  });
});
