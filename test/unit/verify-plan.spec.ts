import { expect } from 'chai';
import { headersHash, recordFromHead, type DesiredObject, type RecordedObject } from '../../lib/plan/match';
import { planRepair } from '../../lib/plan/repair-plan';
import { dayNumber, inDailySlice, sampleKeys } from '../../lib/plan/sample';
import { DEFAULT_DELETE_LIMITS } from '../../lib/plan/sync-plan';
import { findDrift, type RemoteWithTime, type VerifyInput } from '../../lib/plan/verify-plan';

const T0 = new Date('2026-11-28T10:00:00Z');
const local = (key: string, extra: Partial<DesiredObject> = {}): DesiredObject => ({
  key, md5: `md5-${key}`, sha256: `sha-${key}`, size: 100, contentType: 'image/jpeg', cacheControl: 'public, max-age=60', ...extra,
});
const remote = (key: string, extra: Partial<RemoteWithTime> = {}): RemoteWithTime => ({ key, etag: `md5-${key}`, size: 100, lastModified: T0, ...extra });
const record = (o: DesiredObject, etag = o.md5): RecordedObject => ({ etag, sha256: o.sha256, headersHash: headersHash(o) });

function input(desired: DesiredObject[], listed: RemoteWithTime[], extra: Partial<VerifyInput> = {}): VerifyInput {
  return { desired, remote: listed, records: new Map(desired.map((o) => [o.key, record(o)])), headed: new Set(), recordedAt: T0, ...extra };
}
const kinds = (drift: ReturnType<typeof findDrift>) => drift.findings.map((f) => [f.kind, f.key]);

describe('findDrift (verify\'s pure judgement)', () => {
  it('judges single-part objects from the listing and the record alone', async () => {
    const objects = [local('a.jpg'), local('b.jpg'), local('c.jpg'), local('d.jpg')];
    const drift = findDrift(input(objects, [
      remote('a.jpg'), remote('b.jpg', { etag: 'other' }), remote('c.jpg', { size: 99 }), remote('x.jpg'),
    ]));
    expect(kinds(drift)).to.deep.equal([['corrupt', 'b.jpg'], ['corrupt', 'c.jpg'], ['missing', 'd.jpg'], ['extra', 'x.jpg']]);
    expect(drift.inspect).to.deep.equal([]);
    expect(drift.matching.map((o) => o.key)).to.deep.equal(['a.jpg']);
  });

  it('asks for a HEAD of every multipart object, then trusts only its stored sha256', async () => {
    const big = local('big.jpg');
    const listed = [remote('big.jpg', { etag: 'abc-3' })];
    expect(findDrift(input([big], listed)).inspect).to.deep.equal(['big.jpg']);
    const good = new Map([['big.jpg', { etag: 'abc-3', sha256: big.sha256, headersHash: headersHash(big) }]]);
    expect(kinds(findDrift(input([big], listed, { records: good, headed: new Set(['big.jpg']) })))).to.deep.equal([]);
    const bad = new Map([['big.jpg', { etag: 'abc-3', sha256: 'other', headersHash: headersHash(big) }]]);
    const drift = findDrift(input([big], listed, { records: bad, headed: new Set(['big.jpg']) }));
    expect(kinds(drift)).to.deep.equal([['corrupt', 'big.jpg']]);
    expect(drift.findings[0]?.reason).to.match(/sha256 metadata/);
    const none = new Map([['big.jpg', { etag: 'abc-3', sha256: '', headersHash: headersHash(big) }]]);
    expect(findDrift(input([big], listed, { records: none, headed: new Set(['big.jpg']) })).findings[0]?.reason).to.match(/without sha256 metadata/);
  });

  it('HEADs objects modified after the last sync\'s record, and unrecorded ones, but not the rest', async () => {
    const objects = [local('a.jpg'), local('b.jpg'), local('c.jpg')];
    const later = new Date(T0.getTime() + 1000);
    const records = new Map([['a.jpg', record(objects[0] as DesiredObject)], ['b.jpg', record(objects[1] as DesiredObject)]]);
    const drift = findDrift(input(objects, [remote('a.jpg'), remote('b.jpg', { lastModified: later }), remote('c.jpg')], { records }));
    expect(drift.inspect).to.deep.equal(['b.jpg', 'c.jpg']);
  });

  it('judges headers by what a HEAD says is served, not by the metadata\'s claim', async () => {
    const a = local('a.jpg');
    const served = recordFromHead({ etag: a.md5, contentType: 'image/jpeg', cacheControl: 'no-cache', metadata: { sha256: a.sha256, 'headers-hash': headersHash(a) } });
    const drift = findDrift(input([a], [remote('a.jpg')], { records: new Map([['a.jpg', served]]), headed: new Set(['a.jpg']) }));
    expect(kinds(drift)).to.deep.equal([['stale-headers', 'a.jpg']]);
  });

  it('a record whose ETag is not the object\'s any more is not trusted', async () => {
    const a = local('a.jpg');
    const drift = findDrift(input([a], [remote('a.jpg')], { records: new Map([['a.jpg', record(a, 'older-etag')]]) }));
    expect(drift.inspect).to.deep.equal(['a.jpg']);
  });
});

describe('planRepair', () => {
  const objects = [local('a.jpg'), local('b.jpg'), local('c.jpg')];
  const drift = findDrift(input(objects.slice(1), [
    remote('a.jpg'), remote('b.jpg', { etag: 'x' }),
  ], { records: new Map([['b.jpg', record(objects[1] as DesiredObject)]]) }));
  const repairInput = { findings: drift.findings, delete: false, limits: DEFAULT_DELETE_LIMITS, desiredCount: 2, remoteCount: 2, keep: 0 };

  it('uploads missing and corrupt objects, and keeps extras without --delete', async () => {
    const plan = planRepair(repairInput);
    expect(plan.actions.map((a) => [a.kind, a.key])).to.deep.equal([['create', 'c.jpg'], ['update', 'b.jpg']]);
    expect(plan.deleteRefusal).to.match(/pass --delete/);
  });

  it('deletes extras only within the same delete guard as sync', async () => {
    expect(planRepair({ ...repairInput, delete: true, remoteCount: 1 }).deleteRefusal).to.match(/most of the bucket/);
    expect(planRepair({ ...repairInput, delete: true }).deleteRefusal).to.match(/over --max-delete/); // 1 of 2 = 50 %
    const plan = planRepair({ ...repairInput, delete: true, remoteCount: 3, limits: { count: 5, percent: 40 } });
    expect(plan.actions.map((a) => a.kind)).to.deep.equal(['create', 'update', 'delete']);
  });
});

describe('sampleKeys (--sample)', () => {
  const keys = Array.from({ length: 5000 }, (_, i) => ({ key: `album/a${i}/a${i}-small.jpg` }));

  it('takes about the share asked for, the same slice for the same day', async () => {
    const none = () => 1; // no random share
    const day = sampleKeys(keys, 10, { day: 100, random: none });
    expect(day.length).to.be.within(400, 600);
    expect(sampleKeys(keys, 10, { day: 100, random: none })).to.deep.equal(day);
    expect(sampleKeys(keys, 10, { day: 101, random: none })).to.not.deep.equal(day);
  });

  it('covers every key within ⌈100 / p⌉ consecutive days', async () => {
    for (const percent of [15, 30]) {
      const days = Math.ceil(100 / percent);
      const seen = new Set<string>();
      for (let d = 0; d < days; d += 1) for (const k of keys) if (inDailySlice(k.key, percent, 2000 + d)) seen.add(k.key);
      expect(seen.size, `${percent} %`).to.equal(keys.length);
    }
  });

  it('adds a random fifth of p from outside the slice', async () => {
    const withRandom = sampleKeys(keys, 10, { day: 7, random: () => 0 });
    expect(withRandom).to.have.length(keys.length); // random() < p/5 always: everything
    expect(dayNumber(new Date('1970-01-03T12:00:00Z'))).to.equal(2);
  });
});
