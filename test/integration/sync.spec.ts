import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { slugsFromChangeList } from '../../lib/bucket/change-list';
import { STATE_KEY } from '../../lib/bucket/state-record';
import { CACHE, SyncHarness } from '../support/sync-harness';

const V1 = {
  'album/abba/abba-medium.jpg': 'abba medium v1',
  'album/abba/abba-small.jpg': 'abba small v1',
  'album/bjork/bjork-medium.jpg': 'bjork medium v1',
  'artist/cher/cher-small.jpg': 'cher small v1',
};

describe('gulp sync against s3rver over HTTP', () => {
  let h: SyncHarness;
  beforeEach(async () => { h = await SyncHarness.start(); });
  afterEach(async () => { await h.close(); });

  it('uploads every object on the first sync, with headers, metadata and ETag = MD5', async () => {
    await h.writeDist(V1);
    const outcome = await h.sync();
    expect(outcome.result?.failures).to.deep.equal([]);
    expect(await h.contents()).to.deep.equal(V1);
    const head = await h.head('album/abba/abba-medium.jpg');
    expect(head).to.include({ contentType: 'image/jpeg', cacheControl: CACHE });
    expect(head?.metadata.sha256).to.match(/^[0-9a-f]{64}$/);
    expect(head?.metadata['headers-hash']).to.be.a('string').and.not.equal('');
  });

  it('a no-change sync costs one listing page and one GET of the state record, and writes nothing', async () => {
    await h.writeDist(V1);
    await h.sync();
    h.proxy.reset();
    const outcome = await h.sync();
    expect(outcome.plan.actions).to.deep.equal([]);
    expect(outcome.release).to.equal(undefined);
    expect(h.proxy.counts).to.deep.include({ list: 1, get: 1, put: 0, head: 0, copy: 0 });
    expect(h.proxy.total).to.be.at.most(Math.ceil(4 / 1000) + 2);
  });

  it('uploads exactly the one file whose bytes changed', async () => {
    await h.writeDist(V1);
    await h.sync();
    h.proxy.reset();
    await h.writeDist({ ...V1, 'album/abba/abba-small.jpg': 'abba small v2!' });
    const outcome = await h.sync();
    const archived = `_archive/${createHash('sha256').update('abba small v1').digest('hex')}`;
    expect(outcome.plan.actions.map((a) => [a.kind, a.key])).to.deep.equal([['archive', archived], ['update', 'album/abba/abba-small.jpg']]);
    // The writer lock is taken; the old bytes are preserved by a server-side copy before the overwrite; the
    // state record is marked "unreleased" before the first write; then the object, the changed image manifest
    // (archived by content), the release record, the release pointer and the state record.
    expect(h.proxy.counts).to.deep.include({ copy: 1, put: 7 });
    expect((await h.contents())['album/abba/abba-small.jpg']).to.equal('abba small v2!');
    expect(await h.text(archived)).to.equal('abba small v1');
    h.proxy.reset();
    await h.writeDist({ ...V1, 'album/abba/abba-small.jpg': 'abba small v1' });
    await h.sync(); // back to v1: v2 is archived; v1 was already, so no second copy of it
    expect(h.proxy.counts.copy).to.equal(1);
  });

  it('turns a Cache-Control change into a server-side copy, not an upload', async () => {
    await h.writeDist(V1);
    await h.sync();
    h.proxy.reset();
    const outcome = await h.sync({ cacheControl: 'public, max-age=31536000, immutable' });
    expect(outcome.plan.actions.every((a) => a.kind === 'retag')).to.equal(true);
    expect(h.proxy.counts.copy).to.equal(4); // header-only: the bytes stay, so nothing is archived
    expect(h.proxy.counts.put).to.equal(5); // the lock, the state record (marked first, saved last), the release record, the pointer
    expect((await h.head('artist/cher/cher-small.jpg'))?.cacheControl).to.equal('public, max-age=31536000, immutable');
    expect(await h.contents()).to.deep.equal(V1);
    h.proxy.reset();
    await h.sync({ cacheControl: 'public, max-age=31536000, immutable' });
    expect(h.proxy.counts.copy).to.equal(0);
  });

  it('keeps orphans without --delete, and deletes them after the uploads with it', async () => {
    await h.writeDist(V1);
    await h.sync();
    const { 'album/bjork/bjork-medium.jpg': _gone, ...rest } = V1;
    await h.writeDist({ ...rest, 'album/abba/abba-avatar.jpg': 'new' });
    const kept = await h.sync();
    expect(kept.plan.deleteRefusal).to.match(/--delete/);
    expect(Object.keys(await h.contents())).to.include('album/bjork/bjork-medium.jpg');
    const deleted = await h.sync({ delete: true, limits: { count: 10, percent: 50 } });
    expect(deleted.result?.deleted).to.deep.equal(['album/bjork/bjork-medium.jpg']);
    expect(await h.contents()).to.deep.equal({ ...rest, 'album/abba/abba-avatar.jpg': 'new' });
  });

  it('refuses deletes over --max-delete and when the manifest is empty, deleting nothing', async () => {
    await h.writeDist(V1);
    await h.sync();
    await h.writeDist({ 'album/abba/abba-medium.jpg': V1['album/abba/abba-medium.jpg'], 'album/abba/abba-small.jpg': V1['album/abba/abba-small.jpg'], 'album/bjork/bjork-medium.jpg': V1['album/bjork/bjork-medium.jpg'] });
    const capped = await h.sync({ delete: true, limits: { count: 1000, percent: 10 } });
    expect(capped.plan.deleteRefusal).to.match(/max-delete/);
    await h.writeDist({});
    const empty = await h.sync({ delete: true, limits: { count: 1e9, percent: 100 } });
    expect(empty.plan.deleteRefusal).to.match(/manifest is empty/);
    expect(await h.contents()).to.deep.equal(V1);
  });

  it('a dry run reports the plan and changes nothing; its real twin applies that same plan', async () => {
    await h.writeDist(V1);
    const dry = await h.sync({ dryRun: true });
    expect(dry.totals.creates).to.equal(4);
    expect(dry.result).to.equal(undefined);
    expect(h.proxy.counts.put + h.proxy.counts.copy + h.proxy.counts.delete).to.equal(0);
    expect(await h.contents()).to.deep.equal({});
    const real = await h.sync();
    expect(real.plan.actions.map((a) => a.key)).to.deep.equal(dry.plan.actions.map((a) => a.key));
    expect(await h.contents()).to.deep.equal(V1);
  });

  it('filters narrow both sides: --type, --size, --filter and --changed-files never touch other keys', async () => {
    await h.writeDist(V1);
    await h.sync({ scope: { type: 'artist' } });
    expect(Object.keys(await h.contents())).to.deep.equal(['artist/cher/cher-small.jpg']);
    await h.sync({ scope: { size: 'medium' } });
    expect(Object.keys(await h.contents()).sort()).to.deep.equal(['album/abba/abba-medium.jpg', 'album/bjork/bjork-medium.jpg', 'artist/cher/cher-small.jpg']);
    await h.sync({ scope: { filter: /abba/ }, delete: true, limits: { count: 10, percent: 100 } });
    expect(Object.keys(await h.contents())).to.have.length(4);
    await h.writeDist({ ...V1, 'album/bjork/bjork-medium.jpg': 'bjork v2', 'album/abba/abba-small.jpg': 'abba v2' });
    const list = join(h.dist, 'changed.txt');
    await writeFile(list, 'public/album/bjork/bjork-hi-res.jpg\nREADME.md\n');
    const scoped = await h.sync({ scope: { slugs: await slugsFromChangeList(list) }, delete: true, limits: { count: 10, percent: 100 } });
    expect(scoped.plan.actions.filter((a) => a.kind !== 'archive').map((a) => a.key)).to.deep.equal(['album/bjork/bjork-medium.jpg']);
    expect((await h.contents())['album/abba/abba-small.jpg']).to.equal('abba small v1');
  });

  it('retries 500, 503, 429 and dropped connections, and ends in the correct state', async () => {
    await h.writeDist(V1);
    h.proxy.faults.push(
      { op: 'put', key: /abba-medium/, action: 503, times: 2 },
      { op: 'put', key: /abba-small/, action: 429, times: 1 },
      { op: 'put', key: /bjork/, action: 'drop', times: 2 },
      { op: 'put', key: /cher/, action: 500, times: 1 },
      { op: 'list', action: 503, times: 1 },
    );
    const outcome = await h.sync();
    expect(outcome.result?.failures).to.deep.equal([]);
    expect(h.proxy.faults.every((f) => f.times === 0)).to.equal(true);
    expect(await h.contents()).to.deep.equal(V1);
  });

  it('collects a persistent failure with its key, skips deletes, and a rerun converges', async () => {
    await h.writeDist({ ...V1, 'album/zz/zz-small.jpg': 'orphan-to-be' });
    await h.sync();
    await h.writeDist({ ...V1, 'album/abba/abba-small.jpg': 'abba v2' });
    h.proxy.faults.push({ op: 'put', key: /abba-small/, action: 500, times: 100 });
    const failed = await h.sync({ delete: true, limits: { count: 10, percent: 100 } });
    expect(failed.result?.failures.map((f) => f.key)).to.deep.equal(['album/abba/abba-small.jpg']);
    expect(failed.result?.stopped).to.match(/deletes skipped/);
    expect(Object.keys(await h.contents())).to.include('album/zz/zz-small.jpg');
    h.proxy.faults.length = 0;
    const rerun = await h.sync({ delete: true, limits: { count: 10, percent: 100 } });
    expect(rerun.result?.failures).to.deep.equal([]);
    expect(await h.contents()).to.deep.equal({ ...V1, 'album/abba/abba-small.jpg': 'abba v2' });
  });

  it('never lists or deletes its own state record as an orphan', async () => {
    await h.writeDist(V1);
    await h.sync();
    const outcome = await h.sync({ delete: true, limits: { count: 10, percent: 100 } });
    expect(outcome.plan.extras).to.deep.equal([]);
    expect(await h.head(STATE_KEY)).to.not.equal(null);
  });

  it('stops starting new uploads once more than 5 % of them fail, and reports each failure', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 60; i += 1) files[`album/a${String(i).padStart(2, '0')}/a${String(i).padStart(2, '0')}-small.jpg`] = `cover ${i}`;
    await h.writeDist(files);
    h.proxy.faults.push({ op: 'put', key: /a[0-5]\d\/.*[05]-small/, action: 500, times: 1000 });
    const outcome = await h.sync({ concurrency: 1, limiter: undefined });
    expect(outcome.result?.stopped).to.match(/over 5 %/);
    const failures = outcome.result?.failures ?? [];
    expect(failures.length).to.be.greaterThan(0);
    for (const f of failures) expect(f.key).to.match(/[05]-small\.jpg$/);
    const attempted = (outcome.result?.written.length ?? 0) + failures.length;
    expect(attempted).to.be.lessThan(60);
  });
});
