import { expect } from 'chai';
import { spawnGulp } from '../helpers/cli';
import { SyncHarness } from '../support/sync-harness';

// A build with --formats jpeg,webp (or jpeg,webp,avif), then one with jpeg only: the other formats' objects must be removable.
const SLUGS = ['abba', 'bjork', 'cher'];
const variants = (...formats: string[]) => Object.fromEntries(SLUGS.flatMap((s) => formats.map((f) => [`album/${s}/${s}-medium.${f}`, `${s} ${f}`])));
const JPEG = variants('jpg');

describe('delete guards after a format was dropped from the build: each names the flag that lifts it (s3rver)', () => {
  let h: SyncHarness;
  let env: Record<string, string>;
  const sync = (...args: string[]) => spawnGulp(['sync', '--dest', h.dist, '--delete', ...args], env);
  beforeEach(async () => {
    h = await SyncHarness.start();
    env = h.cliEnv();
  });
  afterEach(async () => { await h.close(); });

  it('jpeg+webp → jpeg: refused over the default cap naming --max-delete 50%; its dry run plans the deletes; with it the bucket is jpeg only', async () => {
    await h.writeDist(variants('jpg', 'webp'));
    await h.sync();
    await h.writeDist(JPEG);
    const refused = await sync();
    expect(refused.status).to.not.equal(0);
    expect(refused.output).to.match(/refused to delete 3 object\(s\) \(50\.0 % of the bucket\): over --max-delete \(1000 objects, 10 %\); if these deletes are intended, pass --max-delete 50%/);
    expect(refused.output).to.not.match(/raise it/);
    expect(Object.keys(await h.contents())).to.have.length(6);

    const dry = await sync('--max-delete', '50%', '--dry-run');
    expect(dry.status, dry.output).to.equal(0);
    expect(dry.output).to.match(/plan: 0 create, 0 update, 0 retag \(copy, headers only\), 3 delete/);
    expect(dry.output).to.not.match(/refused/);
    expect(Object.keys(await h.contents())).to.have.length(6);

    const lifted = await sync('--max-delete', '50%');
    expect(lifted.status, lifted.output).to.equal(0);
    expect(await h.contents()).to.deep.equal(JPEG);
  });

  it('jpeg+webp+avif → jpeg is most of the bucket: refused naming --allow-mass-delete and the cap it also needs; with both, jpeg only', async () => {
    await h.writeDist(variants('jpg', 'webp', 'avif'));
    await h.sync();
    await h.writeDist(JPEG);
    const refused = await sync('--max-delete', '5');
    expect(refused.status).to.not.equal(0);
    expect(refused.output).to.match(/refused to delete 6 of 9 objects \(67 %\): that is most of the bucket — check that dist\/ is complete; if these deletes are intended, add --allow-mass-delete --max-delete 6\b/);
    const half = await sync('--allow-mass-delete', '--max-delete', '5');
    expect(half.status).to.not.equal(0);
    expect(half.output).to.match(/refused to delete 6 object\(s\) \(66\.7 % of the bucket\): over --max-delete \(5 objects, 100 %\); if these deletes are intended, pass --max-delete 6\b/);
    expect(Object.keys(await h.contents())).to.have.length(9);

    const dry = await sync('--allow-mass-delete', '--max-delete', '6', '--dry-run');
    expect(dry.status, dry.output).to.equal(0);
    expect(dry.output).to.match(/6 delete/);
    expect(Object.keys(await h.contents())).to.have.length(9);
    const lifted = await sync('--allow-mass-delete', '--max-delete', '6');
    expect(lifted.status, lifted.output).to.equal(0);
    expect(await h.contents()).to.deep.equal(JPEG);
  });

  it('a --filter scope the build has nothing in is said to be the scope, not "the local manifest is empty"; the flags it names delete exactly the scope', async () => {
    await h.writeDist(variants('jpg', 'webp'));
    await h.sync();
    await h.writeDist(JPEG);
    const refused = await sync('--filter', '\\.webp$');
    expect(refused.status).to.not.equal(0);
    expect(refused.output).to.match(/refused to delete 3 object\(s\): nothing in this scope \(--filter \\\.webp\$\) is in the manifest .*; if these deletes are intended, add --allow-mass-delete --max-delete 100%/);
    expect(refused.output).to.not.match(/manifest is empty/);
    const lifted = await sync('--filter', '\\.webp$', '--allow-mass-delete', '--max-delete', '100%');
    expect(lifted.status, lifted.output).to.equal(0);
    expect(await h.contents()).to.deep.equal(JPEG);
  });
});
