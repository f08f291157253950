import { expect } from 'chai';
import { extraReason, headersHash, matchObjects, type DesiredObject, type RecordedObject, type RemoteObject } from '../../lib/plan/match';
import { archiveNeeds } from '../../lib/plan/archive-plan';
import { planTotals } from '../../lib/plan/plan-cost';
import { planRollback } from '../../lib/plan/rollback-plan';
import { DEFAULT_DELETE_LIMITS, planSync, type SyncPlanInput } from '../../lib/plan/sync-plan';

const local = (key: string, md5 = `md5-of-${key}`, extra: Partial<DesiredObject> = {}): DesiredObject => ({
  key, md5, sha256: `sha-of-${key}`, size: 100, contentType: 'image/jpeg', cacheControl: 'public, max-age=60', ...extra,
});
const remote = (key: string, etag = `md5-of-${key}`, size = 100): RemoteObject => ({ key, etag, size });
const record = (o: DesiredObject, etag = o.md5): RecordedObject => ({ etag, sha256: o.sha256, headersHash: headersHash(o) });

function input(desired: DesiredObject[], listed: RemoteObject[], extra: Partial<SyncPlanInput> = {}): SyncPlanInput {
  const records = new Map(desired.map((o) => [o.key, record(o)]));
  return { desired, remote: listed, records, delete: false, limits: DEFAULT_DELETE_LIMITS, ...extra };
}

describe('sync matcher', () => {
  it('pairs local and remote objects by their exact key, sorted', async () => {
    const matches = matchObjects([local('b.jpg'), local('Björk.jpg')], [remote('Björk.jpg'), remote('a.jpg')]);
    expect(matches.map((m) => [m.key, Boolean(m.local), Boolean(m.remote)])).to.deep.equal([
      ['Björk.jpg', true, true], ['a.jpg', false, true], ['b.jpg', true, false],
    ]);
  });

  // Finding 5 of [05/10]: an NFD object counted as the NFC one, so sync said unchanged while the public URL was a 404.
  it('never pairs a listed non-NFC key with the build\'s NFC key: the NFC key is missing, the other is an extra', async () => {
    const nfd = 'Bjo\u0308rk.jpg';
    const matches = matchObjects([local('Björk.jpg')], [remote(nfd)]);
    expect(matches.map((m) => [m.key, Boolean(m.local), Boolean(m.remote)])).to.deep.equal([
      [nfd, false, true], ['Björk.jpg', true, false],
    ]);
    const plan = planSync(input([local('Björk.jpg')], [remote(nfd)]));
    expect(plan.actions.map((a) => [a.kind, a.key])).to.deep.equal([['create', 'Björk.jpg']]);
    expect(plan.extras.map((e) => e.key)).to.deep.equal([nfd]);
    expect(extraReason(nfd, 'x')).to.equal('key is not NFC: the non-NFC twin of Björk.jpg (it never serves that URL; remove it with --delete)');
  });
});

describe('planSync', () => {
  it('keeps objects whose ETag equals the local MD5 and whose recorded headers match', async () => {
    const objects = [local('a.jpg'), local('b.jpg')];
    const plan = planSync(input(objects, objects.map((o) => remote(o.key))));
    expect(plan.actions).to.deep.equal([]);
    expect(plan.keep).to.equal(2);
    expect(plan.inspect).to.deep.equal([]);
  });

  it('creates missing objects and updates ones whose ETag or size differs', async () => {
    const plan = planSync(input([local('new.jpg'), local('changed.jpg'), local('resized.jpg')],
      [remote('changed.jpg', 'other-md5'), remote('resized.jpg', 'md5-of-resized.jpg', 99)]));
    expect(plan.actions.map((a) => [a.kind, a.key])).to.deep.equal([
      ['create', 'new.jpg'], ['update', 'changed.jpg'], ['update', 'resized.jpg'],
    ]);
  });

  it('retags (copy, no upload) when only the headers changed', async () => {
    const before = local('a.jpg');
    const after = local('a.jpg', before.md5, { cacheControl: 'public, max-age=31536000, immutable' });
    const plan = planSync({ ...input([after], [remote('a.jpg')]), records: new Map([['a.jpg', record(before)]]) });
    expect(plan.actions.map((a) => [a.kind, a.key])).to.deep.equal([['retag', 'a.jpg']]);
  });

  it('asks to inspect objects with no current record, and multipart objects it cannot judge', async () => {
    const a = local('a.jpg');
    const b = local('b.jpg');
    const records = new Map([['a.jpg', record(a, 'stale-etag')]]);
    const plan = planSync({ ...input([a, b], [remote('a.jpg'), remote('b.jpg', 'abc-3')]), records });
    expect(plan.inspect).to.deep.equal(['a.jpg', 'b.jpg']);
    expect(plan.actions).to.deep.equal([]);
  });

  it('judges a multipart object by its recorded SHA-256', async () => {
    const a = local('a.jpg');
    const same = planSync({ ...input([a], [remote('a.jpg', 'abc-3')]), records: new Map([['a.jpg', record(a, 'abc-3')]]) });
    expect(same.keep).to.equal(1);
    const changed = { ...record(a, 'abc-3'), sha256: 'something-else' };
    const differs = planSync({ ...input([a], [remote('a.jpg', 'abc-3')]), records: new Map([['a.jpg', changed]]) });
    expect(differs.actions.map((x) => x.kind)).to.deep.equal(['update']);
  });

  it('--force updates every object the bucket already holds (unchanged or re-headered), still inspects what it cannot judge, and archives them first', async () => {
    const same = local('same.jpg');
    const before = local('retag.jpg');
    const after = local('retag.jpg', before.md5, { cacheControl: 'public, max-age=31536000, immutable' });
    const records = new Map([['same.jpg', record(same)], ['retag.jpg', record(before)]]);
    const listed = [remote('same.jpg'), remote('retag.jpg'), remote('multi.jpg', 'abc-3')];
    const plan = planSync({ ...input([same, after, local('multi.jpg'), local('new.jpg')], listed), records, force: true });
    expect(plan.actions.map((a) => [a.kind, a.key])).to.deep.equal([['create', 'new.jpg'], ['update', 'retag.jpg'], ['update', 'same.jpg']]);
    expect(plan.inspect).to.deep.equal(['multi.jpg']);
    expect(plan.keep).to.equal(0);
    expect(archiveNeeds(plan, records).copies.size, 'the overwritten contents are archived like any update').to.equal(2);
    expect(planSync({ ...input([same], [remote('same.jpg')]), records }).actions, 'without --force: kept').to.deep.equal([]);
  });

  it('keeps extras without --delete and says so', async () => {
    const plan = planSync(input([local('a.jpg')], [remote('a.jpg'), remote('orphan.jpg')]));
    expect(plan.actions).to.deep.equal([]);
    expect(plan.extras.map((o) => o.key)).to.deep.equal(['orphan.jpg']);
    expect(plan.deleteRefusal).to.match(/--delete/);
  });

  it('deletes extras with --delete, after every write', async () => {
    const objects = Array.from({ length: 20 }, (_, i) => local(`k${i}.jpg`));
    const plan = planSync(input([...objects, local('new.jpg')], [remote('orphan.jpg'), ...objects.map((o) => remote(o.key))], { delete: true }));
    expect(plan.actions.map((a) => a.kind)).to.deep.equal(['create', 'delete']);
    expect(plan.deleteRefusal).to.equal(undefined);
  });

  it('refuses every delete when over the count or percentage limit', async () => {
    const objects = Array.from({ length: 10 }, (_, i) => local(`k${i}.jpg`));
    const listed = [...objects.map((o) => remote(o.key)), remote('x1.jpg'), remote('x2.jpg')];
    const byPercent = planSync(input(objects, listed, { delete: true, limits: { count: 1000, percent: 10 } }));
    expect(byPercent.actions).to.deep.equal([]);
    expect(byPercent.deleteRefusal).to.match(/max-delete/);
    const byCount = planSync(input(objects, listed, { delete: true, limits: { count: 1, percent: 100 } }));
    expect(byCount.actions).to.deep.equal([]);
    const allowed = planSync(input(objects, listed, { delete: true, limits: { count: 2, percent: 20 } }));
    expect(allowed.actions.map((a) => a.key)).to.deep.equal(['x1.jpg', 'x2.jpg']);
  });

  it('refuses deletes outright when the manifest is empty or they would remove most of the bucket', async () => {
    const limits = { count: 1e9, percent: 100 };
    const empty = planSync(input([], [remote('a.jpg')], { delete: true, limits }));
    expect(empty.actions).to.deep.equal([]);
    expect(empty.deleteRefusal).to.match(/manifest is empty/);
    const most = planSync(input([local('a.jpg')], [remote('a.jpg'), remote('b.jpg'), remote('c.jpg')], { delete: true, limits }));
    expect(most.actions).to.deep.equal([]);
    expect(most.deleteRefusal).to.match(/most of the bucket/);
  });

  it('counts requests by R2 class and prices them', async () => {
    const plan = planSync(input([local('new.jpg'), local('changed.jpg')], [remote('changed.jpg', 'x')]));
    const totals = planTotals(plan, { listPages: 1, heads: 0, gets: 1 });
    // 1 list page + 2 PUTs, and what a changing run adds: lock, records and their reads (COMMIT_OVERHEAD).
    expect(totals.requests).to.deep.equal({ classA: 3 + 6, classB: 1 + 4, free: 1 });
    expect(totals.uploadBytes).to.equal(200);
    expect(totals.estimatedCostUsd).to.be.closeTo(9 * 4.5e-6 + 5 * 0.36e-6, 1e-12);
    expect(planTotals(planSync(input([local('same.jpg')], [remote('same.jpg')])), { listPages: 1, heads: 0, gets: 1 }).requests)
      .to.deep.equal({ classA: 1, classB: 1, free: 0 }); // a run with nothing to do writes nothing
  });
});

describe('planRollback delete guard', () => {
  it('rolls back to a release that deletes most of the bucket when --max-delete allows it (no "most of the bucket" refusal)', async () => {
    const kept = local('a.jpg');
    const target = { objects: { 'a.jpg': { md5: kept.md5, sha256: kept.sha256, size: 100, contentType: 'image/jpeg', cacheControl: kept.cacheControl } } };
    const listed = ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg'].map((k) => remote(k));
    const input = { target: target as never, remote: listed, records: new Map([['a.jpg', record(kept)]]), archived: new Map(), limits: { count: 10, percent: 100 } };
    expect(planRollback(input).actions.map((a) => [a.kind, a.key])).to.deep.equal([['delete', 'b.jpg'], ['delete', 'c.jpg'], ['delete', 'd.jpg']]);
    expect(planRollback({ ...input, limits: { count: 2, percent: 100 } }).deleteRefusal).to.match(/over --max-delete/);
  });
});
