import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { scanSources } from '../../lib/images/scan-sources';
import { SourceIndex } from '../../lib/images/source-index';
import { HashWorkers } from '../../lib/util/hash-workers';
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
      const got = await Promise.all(paths.map((p) => workers.hash(p)));
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
      const results = await Promise.allSettled([join(dir, 'missing'), join(dir, 'folder'), join(dir, 'ok')].map((p) => workers.hash(p)));
      expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected', 'fulfilled']);
      const [missing, folder] = results as PromiseRejectedResult[];
      expect(missing?.reason).to.include({ code: 'ENOENT' });
      expect(String(missing?.reason.message)).to.contain(join(dir, 'missing'));
      expect(folder?.reason).to.include({ code: 'EISDIR' });
      expect((results[2] as PromiseFulfilledResult<{ sha256: string }>).value.sha256).to.equal(sha256Of(Buffer.from('ok')));
    } finally {
      await workers.close();
    }
  });

  it('close() fails what is still waiting instead of leaving it hanging', async () => {
    const big = join(dir, 'big');
    writeFileSync(big, randomBytes(8 * 1024 * 1024));
    const workers = new HashWorkers(1);
    const settling = Promise.allSettled(Array.from({ length: 6 }, () => workers.hash(big)));
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
