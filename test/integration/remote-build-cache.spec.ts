import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadAssetsConfig } from '../../lib/config/load-assets-config';
import { md5Of } from '../../lib/util/hash';
import { readRemoteBuildCache } from '../../lib/releases/remote-build-cache';
import { connectStore } from '../../lib/bucket/open-store';
import { within } from '../../lib/util/within';
import type { ImageManifest } from '../../lib/manifest/types';
import { listFiles, readManifestOf, runBuild } from '../helpers/build';
import { spawnGulp } from '../helpers/cli';
import { photoJpegEdited, TRIO } from '../helpers/fixtures';
import { useWorkspace, writeAt } from '../helpers/tmp';
import { latestRelease, differencesFromRelease } from '../support/bucket-checks';
import { requireServer, SERVERS, SyncHarness } from '../support/sync-harness';

// Issue [10/10]: a fresh runner (no dist/, no build cache) deploys an unchanged collection with zero
// encodes and zero uploads, the bucket's latest release being the cache; only changed sources are rendered.
const remoteOf = async (h: SyncHarness) => {
  const cache = await readRemoteBuildCache(h.store);
  if ('none' in cache) throw new Error(cache.none);
  return cache;
};
const syncDev = (h: SyncHarness, options: Parameters<SyncHarness['sync']>[0] = {}) => h.sync({ cacheControl: loadAssetsConfig().edge.development.cacheControl, ...options });
/** The image keys (not the tool's `_` records) written through the proxy from now on. */
function imageWrites(h: SyncHarness): string[] {
  const keys: string[] = [];
  h.proxy.onRequest = (op, key) => { if ((op === 'put' || op === 'copy') && !key.startsWith('_')) keys.push(key); };
  return keys;
}
const marks = (m: ImageManifest) => Object.values(m.sources).flatMap((s) => s.variants.map((v) => v.remote));

for (const server of SERVERS) {
  describe(`the remote build cache (gulp build --env), against ${server}`, function () {
    this.timeout(120_000);
    const ws = useWorkspace('remote-cache');
    let h: SyncHarness;
    let outputs: string[];
    let bytes: Map<string, Buffer>;
    before(async function () { await requireServer(this, server); });
    beforeEach(async () => {
      h = await SyncHarness.start(server);
      for (const source of Object.values(TRIO)) await writeAt(ws.current.src, source.rel, await source.make());
      expect(await runBuild(ws.current)).to.include({ built: 3, failed: 0 });
      outputs = await listFiles(ws.current.dest);
      bytes = new Map(await Promise.all(outputs.map(async (k) => [k, await readFile(join(ws.current.dest, k))] as const)));
      h.dist = ws.current.dest;
      // With development's headers, so the CLI's `--env development` run below finds nothing to change.
      expect((await syncDev(h)).release).to.not.equal(undefined);
      // A fresh runner: nothing of the earlier build is left on this machine.
      await rm(ws.current.dest, { recursive: true });
      await rm(ws.current.cache, { recursive: true });
      h.proxy.reset();
    });
    afterEach(async () => { await h.close(); });

    it('an unchanged collection: 3 GETs to read it, zero encodes, nothing in dist, and the sync plans and sends nothing', async () => {
      const remote = await remoteOf(h);
      expect(h.proxy.counts).to.deep.include({ get: 3, put: 0, list: 0, head: 0 });
      const summary = await runBuild(ws.current, { remote });
      expect(summary).to.include({ sources: 3, built: 0, remote: 3, outputsWritten: 0, bytesIn: 0, outputsRemote: outputs.length, remoteRelease: remote.release });
      expect(await listFiles(ws.current.dest)).to.deep.equal([]);
      expect(marks(await readManifestOf(ws.current))).to.deep.equal(outputs.map(() => remote.release));

      h.proxy.reset();
      const synced = await syncDev(h, { delete: true });
      expect(synced.plan.actions).to.deep.equal([]);
      expect(synced.release).to.equal(undefined);
      expect(h.proxy.counts.put + h.proxy.counts.copy + h.proxy.counts.delete).to.equal(0);
      expect(h.proxy.counts.get + h.proxy.counts.head).to.equal(1); // the sync state record
      expect((await h.verify({ cacheControl: loadAssetsConfig().edge.development.cacheControl })).findings).to.deep.equal([]);
      // An offline build afterwards keeps the marks: it renders nothing either.
      expect(await runBuild(ws.current)).to.include({ built: 0, remote: 3, outputsWritten: 0 });
    });

    it('with one source changed, exactly that one is rendered and sent; the release archives a manifest without marks', async () => {
      await writeAt(ws.current.src, TRIO.b.rel, await photoJpegEdited(500, 500));
      const summary = await runBuild(ws.current, { remote: await remoteOf(h) });
      expect(summary).to.include({ built: 1, remote: 2, failed: 0 });
      const written = await listFiles(ws.current.dest);
      expect(written.every((k) => k.startsWith('album/b/'))).to.equal(true);
      h.proxy.reset();
      const writes = imageWrites(h);
      const synced = await syncDev(h, { delete: true });
      const sent = synced.plan.actions.filter((a) => a.kind === 'create' || a.kind === 'update').map((a) => a.key).sort();
      expect(sent).to.deep.equal(written.filter((k) => !bytes.get(k)?.equals(readFileSync(join(ws.current.dest, k)))).sort());
      expect(writes.sort()).to.deep.equal(sent);
      expect(await differencesFromRelease(h.direct, await latestRelease(h.direct) as never)).to.deep.equal([]);
      const archived = await remoteOf(h);
      expect(marks(archived.manifest).every((m) => m === archived.release)).to.equal(true);
      const raw = await h.text(`_archive/${(await latestRelease(h.direct))?.manifest?.sha256 ?? ''}`);
      expect(raw).to.not.contain('"remote"');
    });

    it('an output the bucket lost since comes back from the archive, checked by SHA-256', async () => {
      await runBuild(ws.current, { remote: await remoteOf(h) });
      const kept = outputs.find((k) => k.startsWith('album/a/')) ?? '';
      // Overwritten by a run that archived what it replaced.
      const original = bytes.get(kept) as Buffer;
      const { sha256 } = (await latestRelease(h.direct))?.objects[kept] ?? { sha256: '' };
      await h.direct.copy({ key: `_archive/${sha256}`, sourceKey: kept, metadata: {}, contentType: 'image/jpeg', cacheControl: 'private' });
      const defaced = Buffer.from('defaced');
      await h.direct.put({ key: kept, body: defaced, md5: md5Of(defaced), contentType: 'image/jpeg', cacheControl: 'x', metadata: {} });
      const synced = await syncDev(h);
      expect(synced.result?.failures).to.deep.equal([]);
      expect(await h.text(kept)).to.equal(original.toString());
      expect((await h.verify({ cacheControl: loadAssetsConfig().edge.development.cacheControl })).findings).to.deep.equal([]);
    });

    it('outputs whose bytes are nowhere (deleted behind the tool\'s back) stop the sync and its dry run before any write, naming the one build that renders them', async () => {
      await runBuild(ws.current, { remote: await remoteOf(h) });
      const lost = outputs.filter((k) => k.startsWith('artist/r/') || k.startsWith('album/b/'));
      await h.direct.deleteMany(lost);
      const before = await h.contents();
      for (const dryRun of [true, false]) {
        h.proxy.reset();
        const writes = imageWrites(h);
        const refused = await syncDev(h, { dryRun }).then(() => undefined, (e: { code?: string; message: string; hint?: string }) => e);
        expect(refused?.code, String(dryRun)).to.equal('E_REMOTE_GONE');
        expect(refused?.message).to.contain(`${lost.length} object(s) to send came from release ${(await remoteOf(h)).release}`).and.contain('nothing was written');
        expect(refused?.hint).to.contain("render them here with `gulp build --no-cache --filter '^(album/b/|artist/r/)'` (with the --src, --dest and --cache-dir your build uses), then run this command again");
        expect(writes).to.deep.equal([]);
        expect(h.proxy.counts.put + h.proxy.counts.copy + h.proxy.counts.delete).to.equal(0);
      }
      expect(await h.contents()).to.deep.equal(before);
      // A repair meets the same refusal.
      const verified = await h.verify({ cacheControl: loadAssetsConfig().edge.development.cacheControl });
      expect(verified.findings.map((f) => f.key).sort()).to.deep.equal([...lost].sort());
      expect((await h.repair(verified, { dryRun: true }).then(() => undefined, (e: { code?: string }) => e))?.code).to.equal('E_REMOTE_GONE');

      // The named step works: those sources are rendered here, and the next sync sends them.
      expect(await runBuild(ws.current, { noCache: true, scope: { filter: /^(album\/b\/|artist\/r\/)/ } })).to.include({ built: 2, failed: 0 });
      expect((await syncDev(h)).result?.failures).to.deep.equal([]);
      for (const key of lost) expect(await h.text(key)).to.equal((bytes.get(key) as Buffer).toString());
    });

    // From the attacker trial: outputs the release did not hold (a scoped sync left them unsent) were dropped
    // from sources outside a scoped build, and `sync --delete` then planned to delete their live objects.
    it('a source outside a scoped build whose new outputs the bucket never got is carried whole: the sync fails on it, deleting nothing', async () => {
      await writeAt(ws.current.src, TRIO.b.rel, await photoJpegEdited(500, 500));
      await writeAt(ws.current.src, TRIO.r.rel, await photoJpegEdited(480, 500));
      h.dist = ws.current.dest;
      expect(await runBuild(ws.current)).to.include({ built: 3, failed: 0 }); // a fresh build: all three rendered
      // Only the artist is sent: the release records album/b's old objects beside the new manifest.
      expect((await syncDev(h, { scope: { type: 'artist' } })).release).to.not.equal(undefined);
      const before = await h.contents();
      await rm(ws.current.dest, { recursive: true });
      await rm(ws.current.cache, { recursive: true });

      const summary = await runBuild(ws.current, { remote: await remoteOf(h), scope: { type: 'artist' } });
      expect(summary).to.include({ sources: 1, failed: 0 });
      const carried = (await readManifestOf(ws.current)).sources[TRIO.b.rel];
      expect(carried?.variants.map((v) => v.key).sort()).to.deep.equal(outputs.filter((k) => k.startsWith('album/b/')));
      const dry = await syncDev(h, { delete: true, dryRun: true, limits: { count: 100, percent: 100 } });
      expect(dry.plan.actions.filter((a) => a.kind === 'delete')).to.deep.equal([]);
      const real = await syncDev(h, { delete: true, limits: { count: 100, percent: 100 } });
      expect(real.result?.failures.map((f) => f.key).sort()).to.deep.equal(outputs.filter((k) => k.startsWith('album/b/')));
      expect(await h.contents()).to.deep.equal(before);
    });

    it('never removes from dist/ a file this dist did not record, whatever the bucket\'s manifest names', async () => {
      await rm(join(ws.current.src, TRIO.r.rel));
      const mine = join(ws.current.dest, 'artist', 'r', 'r-medium.jpg');
      await writeAt(ws.current.dest, 'artist/r/r-medium.jpg', 'mine');
      const summary = await runBuild(ws.current, { remote: await remoteOf(h), allowEmpty: true });
      expect(summary).to.include({ removed: 1, outputsRemoved: 0 });
      expect(readFileSync(mine, 'utf8')).to.equal('mine');
    });

    it('`gulp --env development` on a fresh runner: build, sync and verify with no encode and no upload', async () => {
      h.proxy.reset();
      const writes = imageWrites(h);
      const run = await spawnGulp(['--env', 'development', '--src', ws.current.src, '--dest', ws.current.dest, '--cache-dir', ws.current.cache], h.cliEnv('proxy'), 90_000);
      expect(run.status, run.output).to.equal(0);
      expect(run.output).to.match(/build: 3 sources — 0 built, 0 restored from cache, 0 cached, 3 from the bucket's release/);
      expect(run.output).to.match(/remote build cache: release \S+; 3 source\(s\) taken from it with nothing rendered/);
      expect(run.output, run.output).to.contain("nothing to do");
      expect(writes).to.deep.equal([]);
      expect(h.proxy.counts.put).to.equal(2); // the run history's records of sync and verify: no image, no release
    });
  });
}

// From the attacker trial: a store that answers and then trickles a byte every few seconds held
// `gulp build --env` alive for 20 minutes after the remote cache's deadline had given up on it.
describe('the remote build cache against a store that trickles its answer', () => {
  // Found by CI's output: each read listened on the store's close signal, and 16 reads at once printed
  // MaxListenersExceededWarning (on a user's deep verify too).
  it('many reads at once on one store print no listener warning, and their listeners go once they end', async () => {
    const server = createServer((_req, res) => { res.writeHead(200, { 'content-length': '2' }); res.end('{}'); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const warnings: string[] = [];
    const onWarning = (w: Error) => { warnings.push(w.name); };
    process.on('warning', onWarning);
    const { store, destroy } = connectStore({ provider: 's3', endpoint: `http://127.0.0.1:${port}`, bucket: 'b', region: 'us-east-1', accessKeyId: 'k', secretAccessKey: 's' });
    try {
      for (let round = 0; round < 3; round += 1) {
        await Promise.all(Array.from({ length: 32 }, async () => { for await (const _ of (await store.get('x')).body) { /* drain */ } }));
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).to.deep.equal([]);
    } finally {
      process.off('warning', onWarning);
      destroy();
      server.closeAllConnections();
      server.close();
    }
  });

  it('closing the store ends the read at once: nothing outlives the deadline', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': '1000', 'content-type': 'application/json' });
      res.write('{');
      const timer = setInterval(() => res.write(' '), 200);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const { store, destroy } = connectStore({ provider: 's3', endpoint: `http://127.0.0.1:${port}`, bucket: 'b', region: 'us-east-1', accessKeyId: 'k', secretAccessKey: 's' }, { maxAttempts: 3 });
    try {
      const reading = readRemoteBuildCache(store).then(() => 'read', (e: Error) => e.message);
      const late = await within(300, 'reading the remote build cache', reading).then(() => 'in time', (e: Error) => e.message);
      expect(late).to.match(/took longer than/);
      const closedAt = performance.now();
      destroy();
      expect(await reading).to.match(/closed/);
      expect(performance.now() - closedAt).to.be.below(1000);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
