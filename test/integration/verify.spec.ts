import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { VerifyOutcome } from '../../lib/verify/run-verify';
import { isClean } from '../../lib/verify/run-verify';
import { CACHE, SyncHarness } from '../support/sync-harness';

const V1 = {
  'album/abba/abba-medium.jpg': 'abba medium bytes',
  'album/abba/abba-small.jpg': 'abba small bytes',
  'album/bjork/bjork-medium.jpg': 'bjork medium bytes',
  'album/bjork/bjork-small.jpg': 'bjork small bytes',
  'artist/cher/cher-small.jpg': 'cher small bytes',
};
const md5 = (body: Buffer) => createHash('md5').update(body).digest('hex');
const found = (outcome: VerifyOutcome) => outcome.findings.map((f) => [f.kind, f.key]);

/** Stores give LastModified to the second: a change meant to look "later than the last sync" must be. */
async function nextSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1010 - (Date.now() % 1000)));
}

describe('gulp verify against s3rver over HTTP', () => {
  let h: SyncHarness;
  beforeEach(async () => {
    h = await SyncHarness.start();
    await h.writeDist(V1);
    await h.sync();
    h.proxy.reset();
  });
  afterEach(async () => { await h.close(); });

  async function tamper(): Promise<void> {
    await h.direct.deleteMany(['album/abba/abba-small.jpg']);
    const other = Buffer.from('bjork medium BYTES'); // same length, other bytes
    await h.direct.put({ key: 'album/bjork/bjork-medium.jpg', body: other, md5: md5(other), contentType: 'image/jpeg', cacheControl: CACHE, metadata: {} });
    const short = Buffer.from('bjork sm');
    await h.direct.put({ key: 'album/bjork/bjork-small.jpg', body: short, md5: md5(short), contentType: 'image/jpeg', cacheControl: CACHE, metadata: {} });
    // Re-uploaded by another tool: same bytes (same ETag), other headers, and metadata still claiming the
    // old header hash, so verify must check what is served.
    const cher = Buffer.from(V1['artist/cher/cher-small.jpg']);
    const head = await h.direct.head('artist/cher/cher-small.jpg');
    await h.direct.put({ key: 'artist/cher/cher-small.jpg', body: cher, md5: md5(cher), contentType: 'image/jpeg', cacheControl: 'no-cache', metadata: head?.metadata ?? {} });
    const extra = Buffer.from('not ours');
    await h.direct.put({ key: 'album/zz/zz-small.jpg', body: extra, md5: md5(extra), contentType: 'image/jpeg', cacheControl: CACHE, metadata: {} });
  }

  it('a clean bucket verifies clean from the listing alone: one list page and one GET', async () => {
    const outcome = await h.verify();
    expect(found(outcome)).to.deep.equal([]);
    expect(isClean(outcome)).to.equal(true);
    expect(outcome.matching).to.equal(5);
    expect(h.proxy.counts).to.deep.include({ list: 1, get: 1, head: 0, put: 0, copy: 0, delete: 0 });
  });

  it('names every object deleted, overwritten (same size), truncated, re-headered or added behind its back', async () => {
    await nextSecond();
    await tamper();
    h.proxy.reset();
    const outcome = await h.verify();
    expect(found(outcome)).to.deep.equal([
      ['missing', 'album/abba/abba-small.jpg'],
      ['corrupt', 'album/bjork/bjork-medium.jpg'],
      ['corrupt', 'album/bjork/bjork-small.jpg'],
      ['extra', 'album/zz/zz-small.jpg'],
      ['stale-headers', 'artist/cher/cher-small.jpg'],
    ]);
    const reasons = Object.fromEntries(outcome.findings.map((f) => [f.key, f.reason]));
    expect(reasons['album/bjork/bjork-medium.jpg']).to.match(/ETag .* is not the build's MD5/);
    expect(reasons['album/bjork/bjork-small.jpg']).to.match(/8 bytes in the bucket, 17 in the build/);
    expect(reasons['artist/cher/cher-small.jpg']).to.match(/Cache-Control/);
    // Only the object whose bytes still match but which changed since the last sync costs a HEAD.
    // The listing, the state record, one HEAD; and, since there are findings, the latest release (pointer and
    // record), so the advice can tell a rollback from damage, and the writer lock (is a run writing now?).
    expect(h.proxy.counts).to.deep.include({ list: 1, get: 4, head: 1, put: 0 });
  });

  it('finds headers that a changed config no longer wants, from the sync record alone', async () => {
    const outcome = await h.verify({ cacheControl: 'public, max-age=31536000, immutable' });
    expect(found(outcome).map(([kind]) => kind)).to.deep.equal(Array(5).fill('stale-headers'));
    expect(h.proxy.counts.head).to.equal(0);
  });

  it('deep mode catches bytes changed on the server\'s disk that the listing cannot see', async () => {
    await h.rotOnDisk('album/abba/abba-medium.jpg');
    const fast = await h.verify();
    expect(found(fast)).to.deep.equal([]); // the listed ETag still matches: fast passes it
    const deep = await h.verify({ deep: true });
    expect(found(deep)).to.deep.equal([['corrupt', 'album/abba/abba-medium.jpg']]);
    expect(deep.findings[0]?.reason).to.match(/sha256 .*\(the listing could not see this\)/);
    expect(deep.checked.deep).to.equal(5);
  });

  // s3rver's in-place copy rewrites headers without touching LastModified, so only --deep can see it.
  it('deep mode compares the headers every object is served with, even after an in-place copy', async () => {
    const head = await h.direct.head('album/abba/abba-small.jpg');
    await h.direct.copy({ key: 'album/abba/abba-small.jpg', sourceKey: 'album/abba/abba-small.jpg', contentType: 'text/plain', cacheControl: CACHE, metadata: head?.metadata ?? {} });
    const deep = await h.verify({ deep: true });
    expect(found(deep)).to.deep.equal([['stale-headers', 'album/abba/abba-small.jpg']]);
    expect(deep.findings[0]?.reason).to.match(/Content-Type "text\/plain"/);
  });

  it('deep reads retry 500, 503, 429 and dropped connections, and a read that keeps failing is named', async () => {
    h.proxy.faults.push(
      { op: 'get', key: /abba-medium/, action: 503, times: 2 },
      { op: 'get', key: /abba-small/, action: 429, times: 1 },
      { op: 'get', key: /bjork-medium/, action: 'drop', times: 1 },
      { op: 'get', key: /bjork-small/, action: 500, times: 1 },
      { op: 'get', key: /cher-small/, action: 500, times: 100 },
    );
    const deep = await h.verify({ deep: true });
    expect(deep.unreadable.map((u) => u.key)).to.deep.equal(['artist/cher/cher-small.jpg']);
    expect(deep.unreadable[0]?.reason).to.match(/get artist\/cher\/cher-small\.jpg failed: .*HTTP 500/);
    expect(found(deep)).to.deep.equal([]);
    expect(isClean(deep)).to.equal(false);
    expect(deep.matching).to.equal(4);
  });

  // Finding 6 of [05/10]: a body cut short after its headers ("unreadable: terminated") was not read again.
  it('deep reads start again when a body breaks off mid-way (cut short, reset after the answer began)', async () => {
    h.proxy.faults.push(
      { op: 'get', key: /abba-medium/, action: 'truncate', times: 2 },
      { op: 'get', key: /bjork-medium/, action: 'reset-after', times: 1 },
    );
    const deep = await h.verify({ deep: true });
    expect(deep.unreadable).to.deep.equal([]);
    expect(isClean(deep)).to.equal(true);
    expect(h.proxy.faults.every((f) => f.times === 0)).to.equal(true);
  });

  it('deep mode with --sample reads only the day\'s slice plus the random share', async () => {
    const deep = await h.verify({ deep: true, sample: 20, day: 3, random: () => 1 });
    const full = await h.verify({ deep: true });
    expect(deep.checked.deep).to.be.below(full.checked.deep);
  });

  it('repair fixes everything it found, deleting extras only with --delete, and a second verify is clean', async () => {
    await nextSecond();
    await tamper();
    const before = await h.verify();
    const kept = await h.repair(before);
    expect(kept.plan.deleteRefusal).to.match(/pass --delete/);
    expect(found(await h.verify())).to.deep.equal([['extra', 'album/zz/zz-small.jpg']]);
    const repaired = await h.repair(await h.verify(), { delete: true, limits: { count: 10, percent: 50 } });
    expect(repaired.result?.failures).to.deep.equal([]);
    const after = await h.verify({ deep: true });
    expect(isClean(after), JSON.stringify(after.findings)).to.equal(true);
    expect(await h.contents()).to.deep.equal(V1);
    expect((await h.head('artist/cher/cher-small.jpg'))?.cacheControl).to.equal(CACHE);
  });

  it('repair re-uploads what only deep mode found', async () => {
    await h.rotOnDisk('album/abba/abba-medium.jpg');
    const result = await h.repair(await h.verify({ deep: true }));
    expect(result.plan.actions.map((a) => [a.kind, a.key])).to.deep.equal([['update', 'album/abba/abba-medium.jpg']]);
    expect(isClean(await h.verify({ deep: true }))).to.equal(true);
  });

  it('a dry-run repair plans and changes nothing; its real twin ends with the bucket as built', async () => {
    await nextSecond();
    await tamper();
    const contents = await h.contents();
    const limits = { count: 10, percent: 50 };
    const dry = await h.repair(await h.verify(), { dryRun: true, delete: true, limits });
    // What the repair overwrites or deletes is archived first, like any other write to the bucket.
    expect(dry.plan.actions.map((a) => a.kind).sort()).to.deep.equal(['archive', 'archive', 'archive', 'create', 'delete', 'retag', 'update', 'update']);
    expect(dry.result).to.equal(undefined);
    expect(await h.contents()).to.deep.equal(contents);
    const real = await h.repair(await h.verify(), { delete: true, limits });
    expect(real.plan.actions.map((a) => [a.kind, a.key])).to.deep.equal(dry.plan.actions.map((a) => [a.kind, a.key]));
    expect(await h.contents()).to.deep.equal(V1);
    expect(real.release).to.equal(undefined); // the bucket is back at what the latest release records
  });

  it('repair keeps under the delete cap: extras over --max-delete are refused, nothing deleted', async () => {
    const extra = Buffer.from('x');
    for (const k of ['a', 'b', 'c']) await h.direct.put({ key: `album/${k}x/${k}x-small.jpg`, body: extra, md5: md5(extra), contentType: 'image/jpeg', cacheControl: CACHE, metadata: {} });
    const result = await h.repair(await h.verify(), { delete: true, limits: { count: 2, percent: 100 } });
    expect(result.plan.deleteRefusal).to.match(/over --max-delete/);
    expect(Object.keys(await h.contents())).to.have.length(8);
  });

  it('an unreachable bucket is an error, never "0 problems"', async () => {
    await h.proxy.close();
    let error: { code?: string; message?: string } | undefined;
    await h.verify().catch((e: { code?: string; message?: string }) => { error = e; });
    expect(error?.code).to.equal('E_UNREACHABLE');
    expect(error?.message).to.match(/nothing was verified/);
  });
});

