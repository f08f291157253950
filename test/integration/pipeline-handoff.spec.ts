import { expect } from 'chai';
import { loadAssetsConfig } from '../../lib/config/load-assets-config';
import { ListingHandoff, type BucketRead } from '../../lib/bucket/listing-handoff';
import { STATE_KEY } from '../../lib/bucket/state-record';
import { spawnGulp } from '../helpers/cli';
import { TRIO } from '../helpers/fixtures';
import { useWorkspace, writeAt } from '../helpers/tmp';
import { SyncHarness } from '../support/sync-harness';

const jsonLines = (output: string) => output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
type VerifyJson = { requests: { list: number; get: number }; listingAgeSeconds?: number; ok: boolean; objects: { matching: number } };

// `gulp` (build, sync, verify in one process) lists the bucket once when sync changes nothing in it:
// verify judges the listing sync read instead of reading the same pages again.
describe('the pipeline hands a sync\'s listing to its verify only when the sync changed nothing', function () {
  this.timeout(120_000);
  const ws = useWorkspace('pipeline-handoff');
  let h: SyncHarness;
  beforeEach(async () => {
    h = await SyncHarness.start();
    for (const source of Object.values(TRIO)) await writeAt(ws.current.src, source.rel, await source.make());
  });
  afterEach(async () => { await h.close(); });

  const pipeline = () => spawnGulp(['--env', 'development', '--src', ws.current.src, '--dest', ws.current.dest, '--cache-dir', ws.current.cache, '--json', '--silent'],
    h.cliEnv('proxy'), 90_000);

  it('a sync that uploads: verify lists the bucket itself; the rerun that changes nothing: the bucket is listed once, by sync', async () => {
    h.proxy.reset();
    const first = await pipeline();
    expect(first.status, first.output).to.equal(0);
    const [, , verified] = jsonLines(first.output) as [unknown, unknown, VerifyJson];
    expect(verified.requests.list, 'verify after a sync that wrote').to.be.above(0);
    expect(verified.listingAgeSeconds).to.equal(undefined);
    expect(verified.ok).to.equal(true);

    h.proxy.reset();
    const again = await pipeline();
    expect(again.status, again.output).to.equal(0);
    const [, , reused] = jsonLines(again.output) as [unknown, unknown, VerifyJson];
    expect(reused.requests).to.include({ list: 0, get: 0 });
    expect(reused.listingAgeSeconds).to.be.a('number').and.below(60);
    expect(reused.objects.matching).to.equal(verified.objects.matching);
    // The bucket was listed once in all: as many pages as one listing of it takes (the first run's verify's).
    expect(h.proxy.counts.list).to.equal(verified.requests.list);
  });

  it('without --json the verify says which listing it judged and how to list again', async () => {
    expect((await pipeline()).status).to.equal(0);
    const run = await spawnGulp(['--env', 'development', '--src', ws.current.src, '--dest', ws.current.dest, '--cache-dir', ws.current.cache], h.cliEnv(), 90_000);
    expect(run.status, run.output).to.equal(0);
    expect(run.output).to.match(/the listing judged is the one sync read \d+\.\d s earlier \(it changed nothing\); `gulp verify` lists the bucket again/);
    const alone = await spawnGulp(['verify', '--env', 'development', '--dest', ws.current.dest, '--json', '--silent'], h.cliEnv(), 90_000);
    const [own] = jsonLines(alone.output) as [VerifyJson];
    expect(own.requests.list, 'a verify of its own lists').to.be.above(0);
    expect(own.listingAgeSeconds).to.equal(undefined);
  });

  // From the attacker trial: a run of this tool that wrote between sync's listing and verify must not be judged on the old listing.
  it('verify judges a handed read only while the state record is the one read with it; else it lists', async () => {
    await h.writeDist({ 'album/a/a-small.jpg': 'a', 'album/b/b-small.jpg': 'b' });
    await h.sync();
    const description = h.store.description;
    const handoff = new ListingHandoff();
    await h.sync({ onUnchanged: (r) => handoff.handOn(description, r) });
    const judged = await h.verify({ read: handoff.take(description) });
    expect(judged.requests).to.include({ list: 0, head: 1, get: 0 });
    expect(judged.listingAgeSeconds).to.be.a('number');
    expect(judged.findings).to.deep.equal([]);

    // From the second attacker trial: the age is asked again where the read is judged (a slow step after the take counts).
    const aging = new ListingHandoff();
    await h.sync({ onUnchanged: (r) => aging.handOn(description, r) });
    const young = aging.take(description);
    expect(young).to.not.equal(undefined);
    const old = await h.verify({ read: { ...(young as BucketRead), listedAt: performance.now() - 31_000 } });
    expect(old.requests.list, 'listed afresh').to.be.above(0);
    expect(old.listingAgeSeconds).to.equal(undefined);

    const next = new ListingHandoff();
    await h.sync({ onUnchanged: (r) => next.handOn(description, r) });
    const handed = next.take(description);
    await h.writeDist({ 'album/a/a-small.jpg': 'a', 'album/b/b-small.jpg': 'b', 'album/c/c-small.jpg': 'c' });
    await h.sync(); // another run writes: the state record changes
    const listed = await h.verify({ read: handed });
    expect(listed.requests.list, 'listed afresh').to.be.above(0);
    expect(listed.listingAgeSeconds).to.equal(undefined);
    expect(listed.matching).to.equal(3); // it sees c, which the handed listing did not hold
  });

  it('runSync hands its read on when it changes nothing, and not when it writes an image or a record', async () => {
    const cacheControl = loadAssetsConfig().edge.development.cacheControl;
    await h.writeDist({ 'album/a/a-small.jpg': 'a' });
    const reads: BucketRead[] = [];
    const onUnchanged = (read: BucketRead) => { reads.push(read); };
    expect((await h.sync({ cacheControl, onUnchanged })).result?.written.length).to.equal(1);
    expect(reads, 'a sync that uploaded').to.have.length(0);
    await h.sync({ cacheControl, onUnchanged });
    expect(reads, 'a sync with nothing to do').to.have.length(1);
    expect(reads[0]?.objects.map((o) => o.key)).to.include('album/a/a-small.jpg');
    // The state record lost: the next sync HEADs the object and saves what it learned (a write), so it hands nothing on.
    await h.store.deleteMany([STATE_KEY]);
    await h.sync({ cacheControl, onUnchanged });
    expect(reads).to.have.length(1);
  });
});

describe('ListingHandoff', () => {
  const read = (key: string, listedAt = performance.now()): BucketRead => ({
    objects: [{ key, size: 1, etag: 'e', lastModified: new Date(0) }], pages: 1, state: { records: new Map() }, listedAt,
  });

  it('gives a read once, to the same store only, and verify\'s records are its own copy', async () => {
    const handoff = new ListingHandoff();
    handoff.handOn('bucket "a"', read('x'));
    expect(handoff.take('bucket "b"')).to.equal(undefined);
    expect(handoff.take('bucket "a"'), 'a take for another store uses it up').to.equal(undefined);
    const original = read('y');
    const fresh = new ListingHandoff();
    fresh.handOn('bucket "a"', original);
    const taken = fresh.take('bucket "a"');
    expect(taken?.objects.map((o) => o.key)).to.deep.equal(['y']);
    taken?.state.records.set('k', { etag: 'e', size: 1, sha256: 's' } as never);
    expect(original.state.records.size).to.equal(0);
    expect(fresh.take('bucket "a"')).to.equal(undefined);
  });

  it('a listing started over 30 s ago is not handed on, and after a take nothing more is (one sync, one verify)', async () => {
    const stale = new ListingHandoff();
    stale.handOn('bucket "a"', read('x', performance.now() - 31_000));
    expect(stale.take('bucket "a"')).to.equal(undefined);
    const once = new ListingHandoff();
    once.handOn('bucket "a"', read('x'));
    expect(once.take('bucket "a"')).to.not.equal(undefined);
    once.handOn('bucket "a"', read('y')); // a later, standalone sync in the same process
    expect(once.take('bucket "a"')).to.equal(undefined);
  });
});
