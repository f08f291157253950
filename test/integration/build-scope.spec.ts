import { expect } from 'chai';
import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { backdateOutputs, listFiles, readManifestOf, rewrittenOutputs, runBuild4 } from '../helpers/build';
import { TRIO, photoJpegEdited, trioOutputs } from '../helpers/fixtures';
import { PHOTO } from '../helpers/paths';
import { useWorkspace, writeAt, type Workspace } from '../helpers/tmp';

async function writeTrio(ws: Workspace): Promise<void> {
  for (const source of Object.values(TRIO)) await writeAt(ws.src, source.rel, await source.make());
}

describe('gulp build: --type and --filter scope', () => {
  const ws = useWorkspace('scope');

  it('builds only artist sources with --type artist', async () => {
    await writeTrio(ws.current);
    const summary = await runBuild4(ws.current, { scope: { type: 'artist' } });
    expect(summary).to.include({ sources: 1, built: 1, failed: 0 });
    expect(await listFiles(ws.current.dest)).to.deep.equal(trioOutputs('r', 'jpg', 'four-size'));
    expect(Object.keys((await readManifestOf(ws.current)).sources)).to.deep.equal([TRIO.r.rel]);
  });

  it('builds only sources matching --filter', async () => {
    await writeTrio(ws.current);
    const summary = await runBuild4(ws.current, { scope: { filter: /^album\/b\// } });
    expect(summary).to.include({ sources: 1, built: 1 });
    expect(await listFiles(ws.current.dest)).to.deep.equal(trioOutputs('b', 'jpg', 'four-size'));
  });

  it('combines --type and --filter', async () => {
    await writeTrio(ws.current);
    // Nothing matches: a typo in --filter is refused by name rather than "succeeding" with nothing built.
    const refused = await runBuild4(ws.current, { scope: { type: 'album', filter: /r-hi-res/ } }).catch((e: unknown) => e as Error & { hint?: string });
    expect(refused).to.be.instanceOf(Error);
    expect((refused as Error).message).to.match(/no sources found in .* matching --type album --filter \/r-hi-res\/.*nothing to build/);
    expect((refused as { hint?: string }).hint).to.contain('--allow-empty');
    const summary = await runBuild4(ws.current, { scope: { type: 'album', filter: /r-hi-res/ }, allowEmpty: true });
    expect(summary).to.include({ sources: 0, built: 0 });
  });

  describe('after a full build', () => {
    beforeEach(async () => {
      await writeTrio(ws.current);
      expect(await runBuild4(ws.current)).to.include({ built: 3, failed: 0 });
      await backdateOutputs(ws.current);
    });

    it('never removes the outputs of a source outside the scope, even one that is gone', async () => {
      await unlink(join(ws.current.src, TRIO.b.rel));
      const summary = await runBuild4(ws.current, { scope: { type: 'artist' } });
      expect(summary).to.include({ removed: 0, outputsRemoved: 0 });
      expect(await listFiles(ws.current.dest)).to.include.members(trioOutputs('b', 'jpg', 'four-size'));
      expect((await readManifestOf(ws.current)).sources).to.have.property(TRIO.b.rel);
      // …until a run whose scope covers it.
      const full = await runBuild4(ws.current, { scope: { type: 'album' } });
      expect(full).to.include({ removed: 1, outputsRemoved: 4 });
      expect(await listFiles(ws.current.dest)).to.not.include.members(trioOutputs('b', 'jpg', 'four-size'));
    });

    it('keeps out-of-scope manifest entries unchanged while rebuilding a changed in-scope source', async () => {
      const before = await readManifestOf(ws.current);
      await writeFile(join(ws.current.src, TRIO.a.rel), await photoJpegEdited(500, 500, PHOTO.landscape));
      await writeFile(join(ws.current.src, TRIO.b.rel), await photoJpegEdited(500, 500, PHOTO.bee));
      const summary = await runBuild4(ws.current, { scope: { filter: /^album\/a\// } });
      expect(summary).to.include({ sources: 1, built: 1 });
      expect(await rewrittenOutputs(ws.current)).to.deep.equal(trioOutputs('a', 'jpg', 'four-size'));
      const after = await readManifestOf(ws.current);
      expect(after.sources[TRIO.b.rel]).to.deep.equal(before.sources[TRIO.b.rel]);
      expect(after.sources[TRIO.r.rel]).to.deep.equal(before.sources[TRIO.r.rel]);
      expect(after.sources[TRIO.a.rel]?.sha256).to.not.equal(before.sources[TRIO.a.rel]?.sha256);
    });

    it('does not forget the source index of sources outside the scope', async () => {
      await runBuild4(ws.current, { scope: { type: 'artist' } });
      const full = await runBuild4(ws.current);
      expect(full).to.include({ hashed: 0, built: 0, cached: 3 });
    });
  });
});
