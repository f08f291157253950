import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { chmod, readFile, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderKeyOf } from '../../lib/images/render-cache';
import { backdateOutputs, listFiles, readManifestOf, rewrittenOutputs, runBuild4 } from '../helpers/build';
import { TRIO, photoJpegEdited, trioOutputs } from '../helpers/fixtures';
import { PHOTO } from '../helpers/paths';
import { useWorkspace, writeAt, type Workspace } from '../helpers/tmp';

async function writeTrio(ws: Workspace): Promise<void> {
  for (const source of Object.values(TRIO)) await writeAt(ws.src, source.rel, await source.make());
}

describe('gulp build: content cache', () => {
  const ws = useWorkspace('cache');

  beforeEach(async () => {
    await writeTrio(ws.current);
    const first = await runBuild4(ws.current);
    expect(first).to.include({ sources: 3, built: 3, cached: 0, failed: 0, hashed: 3, outputsWritten: 12 });
    await backdateOutputs(ws.current);
  });

  it('rebuilds nothing and rewrites no file on an unchanged second run', async () => {
    const summary = await runBuild4(ws.current);
    expect(summary).to.include({ sources: 3, built: 0, cached: 3, hashed: 0, failed: 0, outputsWritten: 0, bytesIn: 0, outputsRemoved: 0 });
    expect(await rewrittenOutputs(ws.current, true)).to.deep.equal([]);
  });

  it('re-hashes but decodes nothing after every source\'s mtime changed (a fresh clone)', async () => {
    const later = new Date(Date.now() + 60_000);
    for (const source of Object.values(TRIO)) await utimes(join(ws.current.src, source.rel), later, later);
    const summary = await runBuild4(ws.current);
    expect(summary).to.include({ hashed: 3, built: 0, cached: 3, bytesIn: 0, outputsWritten: 0 });
    expect(await rewrittenOutputs(ws.current)).to.deep.equal([]);
  });

  it('re-hashes but decodes nothing when the source index is gone', async () => {
    await rm(ws.current.cache, { recursive: true, force: true });
    const summary = await runBuild4(ws.current);
    expect(summary).to.include({ hashed: 3, built: 0, cached: 3, outputsWritten: 0 });
  });

  it('rebuilds only the source whose bytes changed', async () => {
    await writeFile(join(ws.current.src, TRIO.b.rel), await photoJpegEdited(500, 500, PHOTO.bee));
    const summary = await runBuild4(ws.current);
    expect(summary).to.include({ built: 1, cached: 2, hashed: 1, outputsWritten: 4 });
    expect(await rewrittenOutputs(ws.current)).to.deep.equal(trioOutputs('b', 'jpg', 'four-size'));
    const entry = (await readManifestOf(ws.current)).sources[TRIO.b.rel];
    const bytes = await readFile(join(ws.current.src, TRIO.b.rel));
    expect(entry?.bytes).to.equal(bytes.length);
  });

  it('notices changed bytes even when size and mtime were restored', async () => {
    const path = join(ws.current.src, TRIO.a.rel);
    const original = await readFile(path);
    const changed = Buffer.from(original);
    changed[changed.length - 3] = (changed[changed.length - 3] as number) ^ 0xff; // same size, other bytes
    const { mtime } = await stat(path);
    await rm(path); // a new inode, as a checkout writes it
    await writeFile(path, changed);
    await utimes(path, mtime, mtime);
    const summary = await runBuild4(ws.current);
    expect(summary).to.include({ hashed: 1, built: 1, cached: 2 });
  });

  it('puts back the one output deleted from dist from the render cache, rendering nothing', async () => {
    const [avatar] = trioOutputs('r', 'jpg', 'four-size');
    await unlink(join(ws.current.dest, avatar as string));
    const summary = await runBuild4(ws.current);
    expect(summary).to.include({ built: 0, restored: 1, cached: 2, hashed: 0, outputsWritten: 0, outputsRestored: 1, failed: 0 });
    expect(await rewrittenOutputs(ws.current), 'a link to the render, not a new file').to.deep.equal([]);
    expect(existsSync(join(ws.current.dest, avatar as string))).to.equal(true);
  });

  it('rebuilds only the one variant whose output is gone from dist and from the render cache', async () => {
    const [avatar] = trioOutputs('r', 'jpg', 'four-size');
    const variant = (await readManifestOf(ws.current)).sources[TRIO.r.rel]?.variants.find((v) => v.key === avatar);
    await unlink(join(ws.current.dest, avatar as string));
    await unlink(join(ws.current.cache, renderKeyOf(variant!.cacheKey, variant!.key) as string));
    const summary = await runBuild4(ws.current);
    expect(summary).to.include({ built: 1, hashed: 0, outputsWritten: 1, outputsRestored: 0, failed: 0 });
    expect(await rewrittenOutputs(ws.current)).to.deep.equal([avatar]);
    expect(existsSync(join(ws.current.dest, avatar as string))).to.equal(true);
  });

  it('rebuilds a variant whose output file was truncated in dist (in place: its render in the cache with it)', async () => {
    const [, hiRes] = trioOutputs('a', 'jpg', 'four-size');
    await chmod(join(ws.current.dest, hiRes as string), 0o644); // read-only, as its render is: force it, as root could
    await writeFile(join(ws.current.dest, hiRes as string), 'not a jpeg');
    const summary = await runBuild4(ws.current);
    expect(summary).to.include({ outputsWritten: 1 });
    expect((await readFile(join(ws.current.dest, hiRes as string))).subarray(0, 2)).to.deep.equal(Buffer.from([0xff, 0xd8]));
  });

  it('re-renders every variant with noCache (--no-cache)', async () => {
    const summary = await runBuild4(ws.current, { noCache: true });
    expect(summary).to.include({ built: 3, cached: 0, outputsWritten: 12 });
    expect(await rewrittenOutputs(ws.current)).to.deep.equal(await listFiles(ws.current.dest));
  });

  it('removes the outputs and manifest entry of a source removed from public/', async () => {
    await unlink(join(ws.current.src, TRIO.b.rel));
    const summary = await runBuild4(ws.current);
    expect(summary).to.include({ sources: 2, removed: 1, outputsRemoved: 4, built: 0, failed: 0 });
    const files = await listFiles(ws.current.dest);
    for (const key of trioOutputs('b', 'jpg', 'four-size')) expect(files, key).to.not.include(key);
    expect(files).to.include.members([...trioOutputs('a', 'jpg', 'four-size'), ...trioOutputs('r', 'jpg', 'four-size')]);
    expect(Object.keys((await readManifestOf(ws.current)).sources).sort()).to.deep.equal([TRIO.a.rel, TRIO.r.rel]);
  });
});
