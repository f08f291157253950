import { expect } from 'chai';
import { appendFileSync, utimesSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { scanSources } from '../../lib/images/scan-sources';
import { SourceIndex } from '../../lib/images/source-index';
import { HashWorkers, type ListedFile } from '../../lib/util/hash-workers';

/** A file as the listing saw it. */
const listed = (path: string): ListedFile => { const s = statSync(path); return { path, size: s.size, ino: s.ino, mtimeMs: s.mtimeMs }; };
import { sha256Of, sha256OfFile } from '../../lib/util/hash';

// A fresh runner hashes every source; many files are hashed on every core (worker threads).
describe('hashing files on worker threads', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'hash-workers-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('gives the SHA-256 and size the main thread does, for empty, small and multi-chunk files', async () => {
    const sizes = [0, 1, 1024 * 1024, 3 * 1024 * 1024 + 17];
    const paths = sizes.map((n, i) => { const p = join(dir, `f${i}`); writeFileSync(p, randomBytes(n)); return p; });
    const workers = new HashWorkers(2);
    try {
      const got = await Promise.all(paths.map((p) => workers.hash(listed(p))));
      expect(got).to.deep.equal(await Promise.all(paths.map((p) => sha256OfFile(p))));
      expect(got.map((g) => g.bytes)).to.deep.equal(sizes);
    } finally {
      await workers.close();
    }
  });

  it('a file that cannot be read fails with its code, and the others still hash', async () => {
    writeFileSync(join(dir, 'ok'), 'ok');
    mkdirSync(join(dir, 'folder'));
    const workers = new HashWorkers(2);
    try {
      const files = [{ path: join(dir, 'missing'), size: 1, ino: 1, mtimeMs: 0 }, listed(join(dir, 'folder')), listed(join(dir, 'ok'))];
      const results = await Promise.allSettled(files.map((f) => workers.hash(f)));
      expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected', 'fulfilled']);
      const [missing, folder] = results as PromiseRejectedResult[];
      expect(missing?.reason).to.include({ code: 'ENOENT' });
      expect(String(missing?.reason.message)).to.contain(join(dir, 'missing'));
      expect(folder?.reason).to.include({ code: 'ECHANGED' });
      expect((results[2] as PromiseFulfilledResult<{ sha256: string }>).value.sha256).to.equal(sha256Of(Buffer.from('ok')));
    } finally {
      await workers.close();
    }
  });

  // From the attacker trial: a source swapped after the listing for a FIFO or /dev/zero, or one that grows, hung the build.
  it('a file swapped or grown after it was listed fails at once, named as changed, instead of hanging', async () => {
    const paths = ['fifo', 'zero', 'grown', 'replaced'].map((name) => { const p = join(dir, name); writeFileSync(p, 'listed'); return p; });
    const seen = paths.map(listed);
    rmSync(paths[0] as string);
    execFileSync('mkfifo', [paths[0] as string]);
    rmSync(paths[1] as string);
    symlinkSync('/dev/zero', paths[1] as string);
    appendFileSync(paths[2] as string, ' and more');
    rmSync(paths[3] as string);
    writeFileSync(paths[3] as string, 'listed'); // same size, another file (perhaps the same inode reused)
    utimesSync(paths[3] as string, 1, 1);
    const workers = new HashWorkers(2);
    try {
      const results = await Promise.allSettled(seen.map((f) => workers.hash(f)));
      for (const r of results) {
        expect(r.status).to.equal('rejected');
        expect((r as PromiseRejectedResult).reason).to.include({ code: 'ECHANGED' });
        expect(String((r as PromiseRejectedResult).reason.message)).to.match(/changed after it was listed/);
      }
    } finally {
      await workers.close();
    }
  });

  it('a worker that dies fails what waits on it, and every later file, instead of leaving them pending', async () => {
    writeFileSync(join(dir, 'f'), 'x');
    const workers = new HashWorkers(1);
    try {
      await (workers as unknown as { workers: { terminate(): Promise<number> }[] }).workers[0]?.terminate();
      const late = await Promise.allSettled([workers.hash(listed(join(dir, 'f')))]);
      expect(late[0]?.status).to.equal('rejected');
      expect(String((late[0] as PromiseRejectedResult).reason.message)).to.match(/hash worker stopped/);
    } finally {
      await workers.close();
    }
  });

  it('close() fails what is still waiting instead of leaving it hanging', async () => {
    const big = join(dir, 'big');
    writeFileSync(big, randomBytes(8 * 1024 * 1024));
    const workers = new HashWorkers(1);
    const settling = Promise.allSettled(Array.from({ length: 6 }, () => workers.hash(listed(big))));
    await workers.close();
    const settled = await settling;
    expect(settled.filter((s) => s.status === 'rejected').length).to.be.above(0);
  });

  it('scanSources hashes a large collection on the workers: the same hashes, each source once', async () => {
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 240; i += 1) {
      const rel = `album/s${i}/s${i}-hi-res.jpg`;
      const data = randomBytes(100 + i);
      mkdirSync(join(dir, 'src', 'album', `s${i}`), { recursive: true });
      writeFileSync(join(dir, 'src', rel), data);
      files.set(rel, data);
    }
    const index = await SourceIndex.load(join(dir, 'cache', 'source-index.json'));
    const scan = await scanSources(join(dir, 'src'), {}, index, { sourceSuffix: '-hi-res', sourceExtensions: ['jpg'] }, () => true);
    expect(scan.failures).to.deep.equal([]);
    expect(scan.hashed).to.equal(240);
    expect(scan.candidates.map((c) => [c.rel, c.sha256]).sort()).to.deep.equal([...files].map(([rel, data]) => [rel, sha256Of(data)]).sort());
  });
});
