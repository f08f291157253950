import { expect } from 'chai';
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_DISTS } from '../../lib/images/render-cache-prune';
import { MANIFESTS_DIR, RENDERS_DIR, renderKeyOf } from '../../lib/images/render-cache';
import { writeManifest } from '../../lib/manifest/io';
import type { ImageManifest, ManifestVariant } from '../../lib/manifest/types';
import { listFiles, readManifestOf, runBuild } from '../helpers/build';
import { runGulp } from '../helpers/cli';
import { TRIO, photoJpegEdited } from '../helpers/fixtures';
import { PHOTO } from '../helpers/paths';
import { mountTinyDisk, type TinyDisk } from '../helpers/tiny-disk';
import { useWorkspace, writeAt, type Workspace } from '../helpers/tmp';

async function writeTrio(ws: Workspace): Promise<void> {
  for (const source of Object.values(TRIO)) await writeAt(ws.src, source.rel, await source.make());
}

/** Every file under dist (the manifest excluded) → its bytes. */
async function distFiles(dest: string): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const rel of await listFiles(dest)) out[rel] = await readFile(join(dest, rel));
  return out;
}

function variantsOf(manifest: ImageManifest, rel?: string): ManifestVariant[] {
  return Object.entries(manifest.sources).filter(([r]) => rel === undefined || r === rel).flatMap(([, s]) => s.variants);
}

function renderPath(ws: Workspace, v: ManifestVariant): string {
  return join(ws.cache, renderKeyOf(v.cacheKey, v.key) as string);
}

/** Every render file in the cache, relative to renders/. */
async function renderFiles(ws: Workspace): Promise<string[]> {
  return (await listFiles(join(ws.cache, RENDERS_DIR))).filter((name) => !name.endsWith('.tmp'));
}

const withoutUpdatedAt = ({ updatedAt: _u, ...rest }: ImageManifest) => rest;

/** Rewrites a read-only render (or a dist file linked to it) in place, as root or a tool that forces it would. */
async function forceWrite(path: string, data: Buffer | string): Promise<void> {
  await chmod(path, 0o644);
  await writeFile(path, data);
}

describe('gulp build: render cache (a wiped dist/ comes back without decoding)', () => {
  const ws = useWorkspace('renders');
  let before: { files: Record<string, Buffer>; manifest: ImageManifest; outputs: number };

  beforeEach(async () => {
    await writeTrio(ws.current);
    const first = await runBuild(ws.current);
    expect(first).to.include({ built: 3, restored: 0, failed: 0 });
    const manifest = await readManifestOf(ws.current);
    before = { files: await distFiles(ws.current.dest), manifest, outputs: variantsOf(manifest).length };
    expect(first.outputsWritten).to.equal(before.outputs);
  });

  it('after `rm -rf dist`, restores every output by hard link with zero decodes: dist byte-identical, manifest identical but updatedAt', async () => {
    await rm(ws.current.dest, { recursive: true });
    const summary = await runBuild(ws.current);
    expect(summary).to.include({ sources: 3, built: 0, restored: 3, cached: 0, failed: 0, bytesIn: 0, outputsWritten: 0, hashed: 0 });
    expect(summary.outputsRestored).to.equal(before.outputs);
    expect(summary.outputsCopied).to.equal(0);
    expect(await distFiles(ws.current.dest)).to.deep.equal(before.files);
    const after = await readManifestOf(ws.current);
    expect(withoutUpdatedAt(after)).to.deep.equal(withoutUpdatedAt(before.manifest));
    for (const v of variantsOf(after)) {
      const [out, render] = [statSync(join(ws.current.dest, v.key)), statSync(renderPath(ws.current, v))];
      expect(out.ino, `${v.key} is a hard link to its render`).to.equal(render.ino);
      if (process.platform !== 'win32') expect(render.mode & 0o777, 'renders are read-only').to.equal(0o444);
    }
    const again = await runBuild(ws.current);
    expect(again).to.include({ built: 0, restored: 0, cached: 3, outputsRestored: 0 });
  });

  it('restores from the manifest copy when only dist/images.json is gone, and the output deleted from dist', async () => {
    const [gone] = variantsOf(before.manifest, TRIO.a.rel);
    await unlink(join(ws.current.dest, 'images.json'));
    await unlink(join(ws.current.dest, gone!.key));
    const summary = await runBuild(ws.current);
    expect(summary).to.include({ built: 0, restored: 1, cached: 2, outputsRestored: 1, bytesIn: 0 });
    expect(await distFiles(ws.current.dest)).to.deep.equal(before.files);
  });

  it('re-renders a render that was truncated or tampered in the cache (size mismatch), never links it', async () => {
    const [cut, grown] = [variantsOf(before.manifest, TRIO.a.rel)[0]!, variantsOf(before.manifest, TRIO.r.rel)[0]!];
    await forceWrite(renderPath(ws.current, cut), before.files[cut.key]!.subarray(0, 100));
    await forceWrite(renderPath(ws.current, grown), Buffer.concat([before.files[grown.key]!, Buffer.from('tampered')]));
    await rm(ws.current.dest, { recursive: true });
    const summary = await runBuild(ws.current);
    expect(summary).to.include({ built: 2, restored: 1, outputsWritten: 2, failed: 0 });
    expect(summary.outputsRestored).to.equal(before.outputs - 2);
    expect(await distFiles(ws.current.dest)).to.deep.equal(before.files);
    for (const v of [cut, grown]) expect((await stat(renderPath(ws.current, v))).size, `${v.key}'s render is whole again`).to.equal(v.bytes);
  });

  it('a cache whose manifests folder links out of it stops the build naming the cache and the fix, touching nothing there', async () => {
    const elsewhere = await mkdtemp(join(ws.current.root, 'elsewhere-'));
    await writeFile(join(elsewhere, 'keep.txt'), 'keep');
    await rm(join(ws.current.cache, MANIFESTS_DIR), { recursive: true });
    await symlink(elsewhere, join(ws.current.cache, MANIFESTS_DIR));
    await rm(ws.current.dest, { recursive: true });
    const error = await runBuild(ws.current).then(() => undefined, (e: unknown) => e as Error & { hint?: string });
    expect(error?.message).to.match(/the build cache .* is not the tool's own: .*is a link to/);
    expect(error?.hint).to.match(/^delete that folder/);
    expect(await readFile(join(elsewhere, 'keep.txt'), 'utf8')).to.equal('keep');
  });

  it('re-renders a render changed in place at the same size (as root, through a linked dist file), never links it back', async () => {
    const [hit] = variantsOf(before.manifest, TRIO.b.rel);
    const altered = Buffer.from(before.files[hit!.key]!);
    altered.write('XXXX', 100, 'latin1');
    await forceWrite(join(ws.current.dest, hit!.key), altered); // the same inode as its render
    await rm(ws.current.dest, { recursive: true });
    const summary = await runBuild(ws.current);
    expect(summary).to.include({ built: 1, failed: 0 });
    expect(await distFiles(ws.current.dest)).to.deep.equal(before.files);
  });

  it('an in-place write to a dist file (a hard link) is noticed: the next build re-renders it, and no wipe brings the damage back', async () => {
    const [hit] = variantsOf(before.manifest, TRIO.b.rel);
    await forceWrite(join(ws.current.dest, hit!.key), 'not a jpeg');
    const summary = await runBuild(ws.current);
    expect(summary).to.include({ built: 1, outputsWritten: 1, outputsRestored: 0 });
    await rm(ws.current.dest, { recursive: true });
    expect(await runBuild(ws.current)).to.include({ built: 0, restored: 3 });
    expect(await distFiles(ws.current.dest)).to.deep.equal(before.files);
  });

  it('after a wipe and a source change, renders only the changed source and restores the rest', async () => {
    await writeFile(join(ws.current.src, TRIO.b.rel), await photoJpegEdited(500, 500, PHOTO.bee));
    await rm(ws.current.dest, { recursive: true });
    const summary = await runBuild(ws.current);
    expect(summary).to.include({ built: 1, restored: 2, cached: 0, hashed: 1, failed: 0 });
    expect(summary.outputsWritten).to.equal(variantsOf(before.manifest, TRIO.b.rel).length);
    const files = await distFiles(ws.current.dest);
    for (const v of variantsOf(before.manifest)) {
      if (v.key.startsWith('album/b/')) expect(files[v.key], v.key).to.not.deep.equal(before.files[v.key]);
      else expect(files[v.key], v.key).to.deep.equal(before.files[v.key]);
    }
    expect(summary.rendersPruned, 'the old renders of b').to.equal(variantsOf(before.manifest, TRIO.b.rel).length);
  });

  it('prunes the renders of a removed source, and keeps those of entries a --type run carries', async () => {
    await unlink(join(ws.current.src, TRIO.b.rel));
    await rm(ws.current.dest, { recursive: true });
    const scoped = await runBuild(ws.current, { scope: { type: 'album' } });
    expect(scoped).to.include({ sources: 1, removed: 1, restored: 1, built: 0, failed: 0 });
    expect(scoped.rendersPruned).to.equal(variantsOf(before.manifest, TRIO.b.rel).length);
    const renders = await renderFiles(ws.current);
    for (const v of variantsOf(before.manifest)) {
      const kept = renderKeyOf(v.cacheKey, v.key)!.slice(RENDERS_DIR.length + 1);
      expect(renders.includes(kept), v.key).to.equal(!v.key.startsWith('album/b/'));
    }
    // The carried artist's outputs, missing after the wipe, were put back from the cache too.
    const files = await distFiles(ws.current.dest);
    for (const v of variantsOf(before.manifest, TRIO.r.rel)) expect(files[v.key], v.key).to.deep.equal(before.files[v.key]);
    expect(Object.keys((await readManifestOf(ws.current)).sources).sort()).to.deep.equal([TRIO.a.rel, TRIO.r.rel]);
  });

  it('two dists sharing one cache dir keep each other\'s renders; the copies kept are bounded (MAX_DISTS)', async () => {
    const other = { ...ws.current, dest: join(ws.current.root, 'dist-webp') };
    expect(await runBuild(other, { config: { formats: ['jpeg', 'webp'] } })).to.include({ failed: 0, restored: 0, built: 3 });
    const webp = variantsOf(await readManifestOf(other)).filter((v) => v.format === 'webp');
    expect(webp.length).to.be.greaterThan(0);
    expect(await runBuild(ws.current)).to.include({ cached: 3, rendersPruned: 0 });
    await rm(other.dest, { recursive: true });
    expect(await runBuild(other, { config: { formats: ['jpeg', 'webp'] } })).to.include({ built: 0, restored: 3, bytesIn: 0 });

    // MAX_DISTS newer copies of other dists (naming nothing) push the webp dist's copy out: its renders go.
    const copies = join(ws.current.cache, MANIFESTS_DIR);
    const old = new Date(Date.now() - 86_400_000);
    for (const name of await listFiles(copies)) await utimes(join(copies, name), old, old);
    for (let i = 0; i < MAX_DISTS; i += 1) {
      await writeManifest(join(copies, `${String(i).padStart(16, 'f')}.json`), { schema: 1, encoder: 'x', updatedAt: '', sources: {} });
    }
    const bounded = await runBuild(ws.current);
    expect(bounded.rendersPruned).to.equal(webp.length);
    expect(await listFiles(copies)).to.have.length(MAX_DISTS);
    for (const v of webp) expect(existsSync(renderPath(ws.current, v)), v.key).to.equal(false);
  });

  it('copies instead of linking when dist is on another file system (EXDEV: a tmpfs dist)', async function () {
    const shm = '/dev/shm';
    if (!existsSync(shm) || statSync(shm).dev === statSync(ws.current.cache).dev) this.skip();
    const dest = await mkdtemp(join(shm, 'russfm-dist-'));
    try {
      const summary = await runBuild({ ...ws.current, dest });
      expect(summary).to.include({ restored: 3, built: 0, bytesIn: 0 });
      expect(summary.outputsCopied).to.equal(before.outputs);
      expect(await distFiles(dest)).to.deep.equal(before.files);
      const fresh = await runBuild({ ...ws.current, dest: join(dest, 'fresh') }, { noCache: true });
      expect(fresh.outputsCopied, 'rendered outputs are copied too').to.equal(before.outputs);
    } finally {
      await rm(dest, { recursive: true, force: true });
    }
  });

  it('copies instead of linking where links are refused (EPERM), and tries linking only once', async () => {
    let tries = 0;
    const refuse = () => { tries += 1; throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' }); };
    await rm(ws.current.dest, { recursive: true });
    const summary = await runBuild(ws.current, { linkFile: refuse });
    expect(summary).to.include({ restored: 3, failed: 0 });
    expect(summary.outputsCopied).to.equal(before.outputs);
    expect(tries).to.equal(1);
    expect(await distFiles(ws.current.dest)).to.deep.equal(before.files);
    const [v] = variantsOf(before.manifest);
    expect(statSync(join(ws.current.dest, v!.key)).ino).to.not.equal(statSync(renderPath(ws.current, v!)).ino);
  });

  it('--no-cache renders everything even with every render cached, and replaces the renders', async () => {
    await rm(ws.current.dest, { recursive: true });
    const [v] = variantsOf(before.manifest);
    const oldInode = statSync(renderPath(ws.current, v!)).ino;
    const summary = await runBuild(ws.current, { noCache: true });
    expect(summary).to.include({ built: 3, restored: 0, cached: 0, outputsRestored: 0, outputsWritten: before.outputs });
    expect(await distFiles(ws.current.dest)).to.deep.equal(before.files);
    expect(statSync(renderPath(ws.current, v!)).ino).to.not.equal(oldInode);
  });

  it('removes temp files a killed build left in the cache, and only those', async () => {
    const [v] = variantsOf(before.manifest);
    const render = renderKeyOf(v!.cacheKey, v!.key)!;
    const ancient = new Date(Date.now() - 11 * 60_000);
    const leftover = await writeAt(ws.current.cache, `${render}.${process.pid}-99.tmp`, 'cut short');
    const fresh = await writeAt(ws.current.cache, `${render}.${process.pid}-98.tmp`, 'being written');
    const stranger = await writeAt(ws.current.cache, `${RENDERS_DIR}/zz/notes.txt`, 'not ours');
    await utimes(leftover, ancient, ancient);
    const summary = await runBuild(ws.current);
    expect(summary.leftoversRemoved).to.equal(1);
    expect([existsSync(leftover), existsSync(fresh), existsSync(stranger)]).to.deep.equal([false, true, true]);
  });

  it('--dry-run after a wipe lists what would be restored from the cache, and writes nothing', async () => {
    await rm(ws.current.dest, { recursive: true });
    const summary = await runBuild(ws.current, { dryRun: true });
    expect(summary).to.include({ built: 0, restored: 3, cached: 0 });
    expect(summary.dryRun?.restore).to.deep.equal([TRIO.a.rel, TRIO.b.rel, TRIO.r.rel]);
    expect(existsSync(ws.current.dest)).to.equal(false);
    const cli = await runGulp(['build', '--src', ws.current.src, '--dest', ws.current.dest, '--cache-dir', ws.current.cache, '--dry-run']);
    expect(cli.code, cli.stderr).to.equal(0);
    expect(cli.stdout).to.contain('3 restored from cache').and.contain('would restore from the render cache').and.contain(TRIO.r.rel);
    expect(existsSync(ws.current.dest)).to.equal(false);
  });
});

describe('gulp build: render cache on a full disk', function () {
  this.timeout(120_000);
  const workspace = useWorkspace('renders-full');
  let disk: TinyDisk | undefined;
  afterEach(async () => { await disk?.close(); disk = undefined; });

  it('stops naming the render and the reason, and leaves no cut-short render or temp file in the cache', async function () {
    const ws = workspace.current;
    await writeTrio(ws);
    await runBuild(ws); // the reference: renders and outputs made with room to spare
    const clean = await distFiles(ws.dest);
    const reference = new Map<string, Buffer>();
    for (const v of variantsOf(await readManifestOf(ws))) reference.set(renderKeyOf(v.cacheKey, v.key) as string, clean[v.key] as Buffer);

    disk = await mountTinyDisk(this, 120);
    const full = { ...ws, dest: join(ws.root, 'dist2'), cache: join(disk.dir, 'cache') };
    const error = await runBuild(full).then(() => undefined, (e: unknown) => e as Error & { hint?: string });
    expect(error?.message).to.match(new RegExp(`^cannot write ${disk.dir}/cache/renders/[0-9a-f]{2}/[0-9a-f]+\\.jpg: the disk is full \\(ENOSPC\\)$`));
    expect(error?.hint).to.match(/renders are written whole or not at all/);
    const left = await listFiles(full.cache, true);
    expect(left.filter((rel) => rel.endsWith('.tmp'))).to.deep.equal([]);
    for (const rel of left.filter((r) => r.startsWith(`${RENDERS_DIR}/`))) {
      expect((await readFile(join(full.cache, rel))).equals(reference.get(rel) as Buffer), `${rel} is whole`).to.equal(true);
    }
    expect(existsSync(join(full.dest, 'images.json'))).to.equal(false);

    await disk.resize(20_000);
    expect(await runBuild(full)).to.include({ failed: 0 });
    expect(await distFiles(full.dest)).to.deep.equal(clean);
  });
});
