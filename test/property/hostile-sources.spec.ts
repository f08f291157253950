import { expect } from 'chai';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { isImageFile, isSourceName, sourceNameProblem, toKey } from '../../lib/images/source-path';
import { DEFAULT_IMAGE_CONFIG } from '../../lib/images/config';
import { imageKeyProblem } from '../../lib/validate/object-key';
import { listFiles, readManifestOf, runBuild } from '../helpers/build';
import { photoJpeg } from '../helpers/fixtures';
import { PHOTO } from '../helpers/paths';
import { snapshot } from '../helpers/snapshot';
import { makeWorkspace, removeTmp } from '../helpers/tmp';
import { hostileTree, writeTree, writeVictim, type HostileFile, type TreeFixtures } from '../support/hostile-tree';

/**
 * Generated hostile source trees (test/support/hostile-tree.ts) through `gulp build`, then a rebuild
 * after the sources are gone (stale removal, --allow-empty). Invariants: nothing outside --dest and the
 * cache dir is created, changed or deleted (the workspace with public/ and a victim folder beside it,
 * snapshotted before and after); every source file is either built (in the manifest) or named among the
 * failures; a name the key grammar refuses is always named; when something is refused the run fails
 * (non-zero exit); dist holds only what the manifest lists. HOSTILE_RUNS scales it; HOSTILE_SEED replays.
 */
const RUNS = Number(process.env.HOSTILE_RUNS ?? 40);
const SEED = process.env.HOSTILE_SEED ? { seed: Number(process.env.HOSTILE_SEED), path: process.env.HOSTILE_PATH } : undefined;
const SUFFIX = '-hi-res';

/** What the scan sees: every name with an image extension under album/, in key form. */
function imageKeys(src: string): string[] {
  return readdirSync(join(src, 'album'), { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory() && isImageFile(e.name))
    .map((e) => toKey(relative(src, join(e.parentPath, e.name))));
}

async function checkTree(files: readonly HostileFile[], fx: TreeFixtures): Promise<void> {
  const ws = await makeWorkspace('hostile-prop');
  try {
    const victim = join(ws.root, 'victim');
    await writeVictim(victim, fx);
    await writeTree(ws.src, victim, files, fx);
    const images = imageKeys(ws.src);
    const keys = images.filter((key) => isSourceName(key, DEFAULT_IMAGE_CONFIG));
    let before = snapshot(ws.root, [ws.dest, ws.cache]);
    // A tree of only non-source names builds nothing: --allow-empty, so the run still goes through its checks.
    const summary = await runBuild(ws, { concurrency: 2, allowEmpty: true });
    expect(snapshot(ws.root, [ws.dest, ws.cache]), 'nothing outside dist changed').to.deep.equal(before);
    const manifest = await readManifestOf(ws).catch(() => ({ sources: {} }));
    const failed = new Set(summary.failures.map((f) => f.file));
    for (const key of keys) {
      expect(key in manifest.sources || failed.has(key), `${JSON.stringify(key)} built or named`).to.equal(true);
      if (sourceNameProblem(key, SUFFIX)) expect(failed.has(key), `${JSON.stringify(key)} refused by name`).to.equal(true);
    }
    expect(summary.failed, 'a refusal fails the run').to.equal(summary.failures.length);
    expect(summary.ignored.count, 'every other image file is named in the warning').to.equal(images.length - keys.length);
    const listed = new Set(Object.values(manifest.sources).flatMap((s) => s.variants.map((v) => v.key)));
    for (const key of listed) expect(imageKeyProblem(key), key).to.equal(undefined);
    expect((await listFiles(ws.dest)).filter((f) => !listed.has(f)), 'dist holds only what the manifest lists').to.deep.equal([]);

    await rm(join(ws.src, 'album'), { recursive: true });
    before = snapshot(ws.root, [ws.dest, ws.cache]);
    await runBuild(ws, { allowEmpty: true });
    expect(snapshot(ws.root, [ws.dest, ws.cache]), 'the emptying rebuild changed nothing outside dist').to.deep.equal(before);
    expect(await listFiles(ws.dest)).to.deep.equal([]);
  } finally {
    await removeTmp(ws.root);
  }
}

/** The findings of [06/10], by hand: they run first, every time. */
const EXAMPLES: HostileFile[][] = [
  [{ dir: 'evil', name: '..\\..\\..\\victim\\v-hi-res.jpg', content: 'jpeg' }, { dir: 'a', name: 'a-hi-res.jpg', content: 'jpeg' }],
  [{ dir: 'evil', name: '..\\b\\b-hi-res.jpg', content: 'other-jpeg' }, { dir: 'b', name: 'b-hi-res.jpg', content: 'jpeg' }],
  [{ dir: 'a', name: 'a-hi-res.jpg', content: 'link-huge' }, { dir: 'b', name: 'b-hi-res.jpg', content: 'link-image' }],
  [{ dir: 'a', name: 'a-hi-res.jpg', content: 'jpeg' }, { dir: 'a', name: 'a-hi-res.png', content: 'other-jpeg' },
    { dir: 'b', name: 'x\u0001-hi-res.jpg', content: 'jpeg' }, { dir: 'b', name: 'b-hi-res.jpg', content: 'zero' }],
];

describe('gulp build on generated hostile source trees', function () {
  this.timeout(0);
  let fx: TreeFixtures;
  before(async () => {
    fx = { jpeg: await photoJpeg(64, 64), otherJpeg: await photoJpeg(72, 72, PHOTO.bee) };
  });

  it(`${RUNS} random trees (and the hand-written findings) change nothing outside --dest and name every refusal`, async () => {
    const seed = SEED?.seed ?? Date.now() ^ (Math.random() * 0x7fffffff);
    await fc.assert(fc.asyncProperty(hostileTree, (files) => checkTree(files, fx)), {
      numRuns: RUNS, seed, path: SEED?.path, examples: SEED ? [] : EXAMPLES.map((tree) => [tree]),
    });
  });
});
